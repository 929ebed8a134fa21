using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Kube;
using Serving.TestCluster.Pods;

namespace Serving.TestCluster.Nodes;

/// <summary>
/// Follows the pods bound to this node (field selector spec.nodeName) with list + watch, as an informer does: the
/// watch resumes from the last resourceVersion, reconnects with jittered backoff when the API server goes away, and
/// relists when the version is too old (410 Gone). Each pod gets a <see cref="PodWorker"/>.
/// </summary>
internal sealed partial class PodSync(PodServices services, string nodeName, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    private readonly string _selector = "spec.nodeName=" + nodeName;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var list = await services.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: _selector, cancellationToken: cancellationToken).ConfigureAwait(false);
                    Reconcile(list.Items);
                    resourceVersion = list.Metadata?.ResourceVersion;
                }

                bool gone = false;
                var events = services.Client.CoreV1.WatchListPodForAllNamespacesAsync(
                    allowWatchBookmarks: true,
                    fieldSelector: _selector,
                    resourceVersion: resourceVersion,
                    timeoutSeconds: Random.Shared.Next(240, 360),
                    onError: e => gone |= IsGone(e),
                    cancellationToken: cancellationToken);
                await foreach (var (type, pod) in events.ConfigureAwait(false))
                {
                    backoff = MinBackoff;
                    if (pod.Metadata is null)
                    {
                        continue;
                    }

                    resourceVersion = pod.Metadata.ResourceVersion ?? resourceVersion;
                    switch (type)
                    {
                        case WatchEventType.Added or WatchEventType.Modified:
                            Upsert(pod);
                            break;
                        case WatchEventType.Deleted:
                            Gone(pod.Metadata.Uid);
                            break;
                    }
                }

                if (gone)
                {
                    LogRelist(logger, nodeName);
                    resourceVersion = null;
                }
            }
            catch (Exception e) when (e.Is(HttpStatusCode.Gone))
            {
                LogRelist(logger, nodeName);
                resourceVersion = null;
            }
            catch (Exception e) when (ApiErrors.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                LogWatchFailed(logger, nodeName, backoff.TotalMilliseconds, e.Message);
                await Task.Delay(Jitter(backoff), time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Stops every pod's containers (SIGTERM, then SIGKILL after <paramref name="grace"/>) without writing to the API.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        var workers = _workers.Values.ToList();
        foreach (var worker in workers)
        {
            worker.Terminate(grace, apiWrites: false);
        }

        await Task.WhenAll(workers.Select(w => w.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Reconcile(IList<V1Pod> pods)
    {
        var seen = pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (string uid in _workers.Keys.Where(uid => !seen.Contains(uid)))
        {
            Gone(uid);
        }

        foreach (var pod in pods)
        {
            Upsert(pod);
        }
    }

    private void Upsert(V1Pod pod)
    {
        string uid = pod.Metadata.Uid;
        if (_workers.TryGetValue(uid, out var existing))
        {
            existing.Update(pod);
            return;
        }

        bool finished = pod.Status?.Phase is "Succeeded" or "Failed";
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Nothing of it runs here: the kubelet just confirms the deletion.
            _ = DeleteAsync(pod);
            return;
        }

        if (finished)
        {
            return;
        }

        var worker = new PodWorker(pod, services);
        if (_workers.TryAdd(uid, worker))
        {
            worker.Start();
            _ = worker.Completion.ContinueWith(
                done =>
                {
                    _workers.TryRemove(KeyValuePair.Create(uid, worker));
                    if (done.Exception is { } error)
                    {
                        LogWorkerFailed(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, error.GetBaseException());
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private void Gone(string uid)
    {
        if (_workers.TryGetValue(uid, out var worker))
        {
            worker.Terminate(TimeSpan.Zero, apiWrites: false);
        }
    }

    private async Task DeleteAsync(V1Pod pod)
    {
        try
        {
            await services.Client.CoreV1.DeleteNamespacedPodAsync(
                pod.Metadata.Name,
                pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsTransient(e))
        {
            // gone already; or the API is away and the next relist sees the pod again
        }
    }

    private static bool IsGone(Exception e) => e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone };

    private static TimeSpan Jitter(TimeSpan backoff) => backoff * (0.5 + Random.Shared.NextDouble());

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Node {Node}: pod watch too old (410 Gone): relisting")]
    private static partial void LogRelist(ILogger logger, string node);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Node {Node}: pod watch failed, retrying in about {Milliseconds} ms: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string node, double milliseconds, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "{Namespace}/{Pod}: pod worker failed")]
    private static partial void LogWorkerFailed(ILogger logger, string @namespace, string pod, Exception error);
}
