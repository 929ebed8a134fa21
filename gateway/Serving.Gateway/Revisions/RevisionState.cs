using Serving.Gateway.Accounting;
using Serving.Gateway.Activation;
using Serving.Gateway.Balancing;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Gateway.Proxy;

namespace Serving.Gateway.Revisions;

/// <summary>
/// A routed revision while it lives: its replicas, its per-replica limit, its load and its activator queue.
/// Routing snapshots come and go; this object stays for as long as the revision is routed.
/// </summary>
public sealed class RevisionState
{
    private readonly ActivationQueue _queue;
    private readonly IActivationSignal _signal;
    private readonly ActivatorOptions _options;
    private readonly TimeProvider _time;
    private volatile Replica[] _replicas = [];
    private volatile int _limit = int.MaxValue;

    internal RevisionState(
        RevisionKey key, ActivatorOptions options, HeldRequestBudget budget, IActivationSignal signal, TimeProvider time, RevisionMetrics metrics)
    {
        Key = key;
        _options = options;
        _signal = signal;
        _time = time;
        Metrics = metrics;
        _queue = new ActivationQueue(options.QueueLimitPerRevision, budget);
    }

    public RevisionKey Key { get; }

    public RevisionStats Stats { get; } = new();

    public IReadOnlyList<Replica> Replicas => _replicas;

    /// <summary>
    /// Raised with a <see cref="TimeProvider.GetTimestamp"/> value when a request held at zero has its replica and is
    /// about to be forwarded; only cold starts raise it, so the warm path pays nothing. Lets a backend or a benchmark
    /// close its cold-start timeline.
    /// </summary>
    public event Action<RevisionState, long>? ColdStartForwarding;

    /// <summary>Per-replica limit (<c>containerConcurrency</c>); 0 when there is none.</summary>
    public int ContainerConcurrency => _limit == int.MaxValue ? 0 : _limit;

    internal RevisionMetrics Metrics { get; }

    /// <summary>A free slot on the least-loaded ready replica, or the wait for one (the activator).</summary>
    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        // Held requests go first: a newcomer only takes a slot directly when nobody is waiting.
        if (_queue.Count == 0 && LeastInFlight.TryTake(_replicas, _limit) is { } replica)
        {
            return ValueTask.FromResult(new Lease(this, replica, ColdStart: false));
        }

        return WaitAsync(cancellationToken);
    }

    /// <summary>A free slot on a ready replica other than <paramref name="avoid"/>, now, or null: no waiting.</summary>
    internal Lease? TryAcquireOther(Replica avoid) =>
        LeastInFlight.TryTake(_replicas, _limit, avoid) is { } replica ? new Lease(this, replica, ColdStart: false) : null;

    /// <summary>Applies the revision's current replicas and limit, keeping the in-flight counts of known addresses.</summary>
    internal void Update(RevisionRoute route)
    {
        var known = _replicas.ToDictionary(r => r.Address, StringComparer.Ordinal);
        var next = new Replica[route.Endpoints.Count];
        for (int i = 0; i < next.Length; i++)
        {
            var endpoint = route.Endpoints[i];
            var replica = known.GetValueOrDefault(endpoint.Address.TrimEnd('/')) ?? new Replica(endpoint.Address);
            replica.Ready = endpoint.Ready;
            next[i] = replica;
        }

        _limit = route.ContainerConcurrency > 0 ? route.ContainerConcurrency : int.MaxValue;
        var previous = _replicas;
        _replicas = next;
        _queue.Release(next, _limit, afterUpdate: true);
        foreach (var gone in previous.Except(next))
        {
            gone.Dispose(); // requests still on it finish; their connections close when they come back
        }
    }

    /// <summary>The revision is no longer routed: requests still held for it fail.</summary>
    internal void Retire()
    {
        _queue.FailAll(new GatewayException(GatewayError.RevisionGone, $"revision {Key.Revision} is no longer served"));
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }
    }

    internal void Return(Replica replica)
    {
        replica.Return();
        _queue.Release(_replicas, _limit);
    }

    private async ValueTask<Lease> WaitAsync(CancellationToken cancellationToken)
    {
        bool cold = !_replicas.Any(r => r.Ready);
        using var span = GatewayTracing.Start("gateway.activator.wait");
        span?.SetTag("serving.activator.reason", cold ? "no_ready_replica" : _queue.Count > 0 ? "held_requests_ahead" : "replicas_at_capacity");
        ActivationQueue.Waiter waiter;
        try
        {
            waiter = _queue.Enqueue();
        }
        catch (GatewayException)
        {
            Metrics.QueueWait(QueueOutcome.Rejected, 0);
            span?.SetTag("serving.activator.outcome", "rejected");
            throw;
        }

        long start = _time.GetTimestamp();
        Stats.Hold();
        Metrics.QueueLength.Inc();
        try
        {
            _signal.Activate(Key);
            _queue.Release(_replicas, _limit); // a slot may have freed between the fast path and the enqueue
            var replica = await AwaitReplicaAsync(waiter, cancellationToken);
            Metrics.QueueWait(QueueOutcome.Served, _time.GetElapsedTime(start).TotalSeconds);
            span?.SetTag("serving.activator.outcome", "served");
            if (cold)
            {
                Metrics.ColdStarts.Inc();
                ColdStartForwarding?.Invoke(this, _time.GetTimestamp());
            }

            return new Lease(this, replica, cold);
        }
        catch (GatewayException e) when (e.Error == GatewayError.ActivationTimeout)
        {
            Metrics.QueueWait(QueueOutcome.Timeout, _time.GetElapsedTime(start).TotalSeconds);
            span?.SetTag("serving.activator.outcome", "timeout");
            throw;
        }
        catch (OperationCanceledException)
        {
            Metrics.QueueWait(QueueOutcome.Cancelled, _time.GetElapsedTime(start).TotalSeconds);
            span?.SetTag("serving.activator.outcome", "cancelled");
            throw;
        }
        finally
        {
            Stats.Unhold();
            Metrics.QueueLength.Dec();
        }
    }

    private async Task<Replica> AwaitReplicaAsync(ActivationQueue.Waiter waiter, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Task.WaitAsync(_options.ActivationTimeout, _time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException && !waiter.Task.IsFaulted)
        {
            // Once removed, the waiter can no longer be handed a replica: its state is final.
            _queue.Remove(waiter);
            if (waiter.Task.IsCompletedSuccessfully)
            {
                var replica = waiter.Task.Result;
                if (!cancellationToken.IsCancellationRequested)
                {
                    return replica; // served at the very moment the timer fired
                }

                Return(replica);
            }

            if (e is TimeoutException)
            {
                throw new GatewayException(
                    GatewayError.ActivationTimeout,
                    $"no replica of revision {Key.Revision} became available within {_options.ActivationTimeout.TotalSeconds:0.###} s");
            }

            throw;
        }
    }
}

/// <summary>A slot on a replica; disposing it frees the slot and lets a held request in.</summary>
public readonly record struct Lease(RevisionState Revision, Replica Replica, bool ColdStart) : IDisposable
{
    public void Dispose() => Revision.Return(Replica);
}
