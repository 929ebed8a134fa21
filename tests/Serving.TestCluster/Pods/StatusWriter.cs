using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Kube;

namespace Serving.TestCluster.Pods;

/// <summary>
/// Writes a pod's status whenever it changes: signals coalesce, one write at a time, the latest snapshot each time,
/// nothing when it equals the last one written; failures (an API server restarting) are retried. A JSON merge patch of
/// the fields the kubelet owns: lists are replaced whole, the fields others own (qosClass, nominatedNodeName) are kept.
/// </summary>
internal sealed partial class StatusWriter(IKubernetes client, V1Pod pod, Func<V1PodStatus> snapshot, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _writing = new(1, 1);
    private string? _written;

    public void Signal() => _signal.Writer.TryWrite(true);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _signal.Reader.TryRead(out _);
                if (!await WriteAsync(cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
                    Signal();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the pod's worker is done
        }
    }

    /// <summary>Writes the current snapshot now (a pod's last status before it is deleted); false if the write failed.</summary>
    public async Task<bool> WriteAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string status = MergePatch.StatusJson(snapshot());
            if (status == _written)
            {
                return true;
            }

            await client.CoreV1.PatchNamespacedPodStatusAsync(MergePatch.Of(status), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
            _written = status;
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true; // the pod is gone: nothing to write to
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            LogWriteFailed(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Message);
            return false;
        }
        finally
        {
            _writing.Release();
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "{Namespace}/{Pod}: status write failed, will retry: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string @namespace, string pod, string reason);
}
