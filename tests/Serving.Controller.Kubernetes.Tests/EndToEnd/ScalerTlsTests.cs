using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// KEDA (the stand-in) to the scaler over TLS with client certificates, on the ScaledObjects the controller writes with
/// <c>--scaler-tls</c> and <c>--scaler-trigger-authentication</c>: the TriggerAuthentication's certificates are what lets
/// KEDA in.
/// </summary>
public sealed class ScalerTlsTests(ScalerTlsCluster cluster) : IClassFixture<ScalerTlsCluster>
{
    [Fact]
    public async Task With_the_client_certificate_KEDA_scales_to_zero_and_back_over_TLS_and_without_it_the_scaler_refuses_it()
    {
        var (ns, revision) = await cluster.ReadyAsync("tls", Manifests.Iris("iris", "Serverless", minReplicas: 0), before: cluster.TriggerAuthentication(clientCertificate: true));
        var (refusedNs, refused) = await cluster.ReadyAsync("tls-anonymous", Manifests.Iris("iris", "Serverless", minReplicas: 0), before: cluster.TriggerAuthentication(clientCertificate: false));
        var trigger = (await cluster.GetAsync(ns, "scaledobject", revision.Revision))!["spec"]!["triggers"]![0]!;
        Assert.Equal("true", (string?)trigger["metadata"]!["enableTLS"]);
        Assert.Equal(ScalerTlsCluster.Authentication, (string?)trigger["authenticationRef"]!["name"]);
        Assert.Equal("TriggerAuthentication", (string?)trigger["authenticationRef"]!["kind"]);
        await cluster.Feed.SetAsync(revision, 0);
        await cluster.Feed.SetAsync(refused, 0);

        // Idle, over TLS: to zero. KEDA had its polls of the other one meanwhile.
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 0 && r.Pods == 0, "idle, the revision goes to zero");
        await Eventually.HoldsAsync(() => cluster.Keda.StreamsOpened($"{ns}/{revision.Revision}") > 0, "the StreamIsActive stream is open over TLS", TimeSpan.FromSeconds(60));

        // A pushed activation: 0 -> 1.
        await cluster.Feed.ActivateAsync(revision);
        await cluster.Feed.SetAsync(revision, 1);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Ready == 1, "an activation brings one ready replica");
        Assert.Contains(cluster.Series(ns, revision.Revision), s => s.From == 0 && s.To == 1 && s.By == "keda");
        await cluster.Feed.SetAsync(revision, 0);

        // Without a client certificate the scaler closes the handshake: the ScaledObject is not Ready, and nothing scales
        // (still the one replica it started with), not even on an activation.
        var status = (await cluster.GetAsync(refusedNs, "scaledobject", refused.Revision))!["status"]!.AsObject();
        Assert.Equal("False", ServingCluster.Condition(status, "Ready"));
        Assert.StartsWith("failed to get the metric spec from the scaler: ", ServingCluster.Condition(status, "Ready", "message"), StringComparison.Ordinal);
        string refusedKey = $"{refusedNs}/{refused.Revision}";
        int polls = cluster.Keda.Polls(refusedKey);
        await cluster.Feed.ActivateAsync(refused);
        await cluster.Feed.SetAsync(refused, 1);
        // Two of KEDA's polls after the activation: the ones that could have acted on it ran (and failed the handshake).
        await Eventually.HoldsAsync(() => cluster.Keda.Polls(refusedKey) >= polls + 2, "two polls of the refused ScaledObject", TimeSpan.FromSeconds(60));
        Assert.Equal(1, (await cluster.ReplicasAsync(refusedNs, refused.Revision, _ => true, "read")).Spec);
        Assert.Empty(cluster.Series(refusedNs, refused.Revision));
        Assert.Equal(0, cluster.Keda.StreamsOpened(refusedKey));
        await cluster.Feed.SetAsync(refused, 0);
    }
}
