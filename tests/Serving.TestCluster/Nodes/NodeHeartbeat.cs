using System.Net;
using k8s;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Kube;

namespace Serving.TestCluster.Nodes;

/// <summary>
/// Registers the Node (Ready, with addresses, capacity and nodeInfo) and keeps it alive as the kubelet does: the Lease
/// in kube-node-lease renewed every <see cref="NodeAgentOptions.LeaseRenewInterval"/>, the status re-posted about once
/// a minute. Without renewals the node lifecycle controller marks the node NotReady after 40 s and evicts its pods.
/// A Node deleted by someone else is registered again.
/// </summary>
internal sealed partial class NodeHeartbeat(IKubernetes client, NodeAgentOptions options, string address, TimeProvider time, ILogger logger)
{
    private const int StatusEveryRenewals = 6;
    private string? _uid;

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var node = NodeObjects.Node(options, address, time.GetUtcNow().UtcDateTime);
        try
        {
            _uid = (await client.CoreV1.CreateNodeAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false)).Metadata.Uid;
        }
        catch (Exception e) when (e.Is(HttpStatusCode.Conflict))
        {
            _uid = (await client.CoreV1.ReadNodeAsync(options.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false)).Metadata.Uid;
        }

        // A create may not keep the status everywhere; the kubelet posts it through /status too.
        await PostStatusAsync(cancellationToken).ConfigureAwait(false);
        await RenewLeaseAsync(cancellationToken).ConfigureAwait(false);
        LogRegistered(logger, options.NodeName, address);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.LeaseRenewInterval, time);
        int ticks = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (++ticks % StatusEveryRenewals == 0)
                {
                    await PostStatusAsync(cancellationToken).ConfigureAwait(false);
                }

                await RenewLeaseAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e.Is(HttpStatusCode.NotFound))
            {
                LogReregistering(logger, options.NodeName);
                await TryAsync(RegisterAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsTransient(e))
            {
                LogRenewFailed(logger, options.NodeName, e.Message);
            }
        }
    }

    public async Task DeleteAsync(CancellationToken cancellationToken) =>
        await TryAsync(ct => client.CoreV1.DeleteNodeAsync(options.NodeName, cancellationToken: ct), cancellationToken).ConfigureAwait(false);

    private async Task PostStatusAsync(CancellationToken cancellationToken)
    {
        var status = NodeObjects.Status(options, address, time.GetUtcNow().UtcDateTime);
        await client.CoreV1.PatchNodeStatusAsync(MergePatch.Of(MergePatch.StatusJson(status)), options.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task RenewLeaseAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.NodeName, NodeObjects.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            lease.Spec.HolderIdentity = options.NodeName;
            lease.Spec.LeaseDurationSeconds = NodeObjects.LeaseDurationSeconds;
            lease.Spec.RenewTime = now;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.NodeName, NodeObjects.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e.Is(HttpStatusCode.NotFound))
        {
            var lease = NodeObjects.Lease(options.NodeName, _uid ?? "", now);
            await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, NodeObjects.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TryAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await action(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsTransient(e))
        {
            LogRenewFailed(logger, options.NodeName, e.Message);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Node {Node} registered at {Address}")]
    private static partial void LogRegistered(ILogger logger, string node, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Node {Node}: lease or status update failed, will retry: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Node {Node} is gone: registering it again")]
    private static partial void LogReregistering(ILogger logger, string node);
}
