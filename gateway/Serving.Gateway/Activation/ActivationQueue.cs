using Serving.Gateway.Balancing;
using Serving.Gateway.Proxy;

namespace Serving.Gateway.Activation;

/// <summary>
/// Requests held for one revision while it has no free replica, in arrival order. Each time capacity may have
/// appeared (a replica became ready, a request finished) <see cref="Release"/> hands waiting requests the
/// least-loaded replica, one by one, so a burst spreads over every replica that is ready at that moment.
/// </summary>
internal sealed class ActivationQueue(int limit, HeldRequestBudget budget)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _count;

    /// <summary>Waiting requests; read without the lock on the fast path, so it may be a moment stale.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Queues a request; throws <see cref="GatewayError.QueueFull"/> when this queue or the gateway is full.</summary>
    public Waiter Enqueue()
    {
        if (!budget.TryTake())
        {
            throw new GatewayException(GatewayError.QueueFull, "the gateway is holding as many requests as it may");
        }

        var waiter = new Waiter();
        lock (_lock)
        {
            if (_count >= limit)
            {
                budget.Return();
                throw new GatewayException(GatewayError.QueueFull, $"the queue for this revision is full ({limit} requests)");
            }

            waiter.Node = _waiters.AddLast(waiter);
            _count++;
        }

        return waiter;
    }

    /// <summary>Takes a waiter out (it was served, timed out or its client left); idempotent.</summary>
    public void Remove(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is not null)
            {
                _waiters.Remove(waiter.Node);
                _count--;
                budget.Return();
            }
        }
    }

    /// <summary>Hands free slots to waiting requests in order; stops at the first request that finds none.</summary>
    /// <param name="replicas">The replicas now; a caller that has just replaced them passes <paramref name="afterUpdate"/>.</param>
    /// <param name="afterUpdate">
    /// Skip the unlocked fast path: a request enqueued at that moment may have read the replicas from before the update,
    /// and only the lock orders its enqueue against this release, so that one of the two hands it a replica.
    /// </param>
    public void Release(Replica[] replicas, int limit, bool afterUpdate = false)
    {
        if (!afterUpdate && Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            while (_waiters.First is { } node)
            {
                var waiter = node.Value;
                var replica = LeastInFlight.TryTake(replicas, limit);
                if (replica is null)
                {
                    return;
                }

                _waiters.RemoveFirst();
                _count--;
                budget.Return();
                if (!waiter.TrySetResult(replica))
                {
                    replica.Return(); // it timed out or its client left just now
                }
            }
        }
    }

    /// <summary>Fails every waiting request (the revision is no longer routed).</summary>
    public void FailAll(GatewayException error)
    {
        lock (_lock)
        {
            while (_waiters.First is { } node)
            {
                _waiters.RemoveFirst();
                _count--;
                budget.Return();
                node.Value.TrySetException(error);
            }
        }
    }

    internal sealed class Waiter() : TaskCompletionSource<Replica>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
