using System.Globalization;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Kubernetes.Client;
using Serving.Controller.Kubernetes.Objects;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// Whether the controller sets the replicas of a revision that runs, and to what; otherwise they are its autoscaler's.
/// A revision kept at zero for a rollback (its autoscaler deleted) comes back at its initial scale; one whose autoscaler
/// never goes below one (an HPA, which does not scale from zero; a ScaledObject with <c>minReplicaCount</c> ≥ 1) is never
/// left at zero; replicas pinned by <c>autoscalerClass: none</c> stay at their count. A revision at zero whose ScaledObject
/// allows zero is left there: KEDA owns 0 ↔ 1, and a replica given back would undo every scale to zero.
/// </summary>
public static class RunningScale
{
    /// <param name="autoscaler">The autoscaler the revision was created with (its Deployment's annotation), if any.</param>
    /// <param name="autoscalerExists">Whether that autoscaler exists in the cluster now (before it is applied again).</param>
    /// <returns>The replicas to set, or null to leave them.</returns>
    public static int? Wanted(JsonObject deployment, AutoscalerObject? autoscaler, bool autoscalerExists)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        int replicas = deployment["spec"]?["replicas"]?.GetValue<int>() ?? 1;
        int initial = InitialScale(deployment);
        if (ClusterCache.Annotation(deployment, RevisionLabels.Pinned) == "true")
        {
            return replicas != initial ? Math.Max(1, initial) : null;
        }

        if (replicas != 0 || initial == 0)
        {
            return null;
        }

        bool keptAtZero = autoscaler is null || !autoscalerExists;
        return keptAtZero || Floor(autoscaler!) > 0 ? Math.Max(1, initial) : null;
    }

    /// <summary>Whether the revision has had a ready replica: marked on its Deployment the first time it is seen with one.</summary>
    public static bool Loaded(JsonObject deployment) => ClusterCache.Annotation(deployment, RevisionLabels.LoadedAt) is not null;

    /// <summary>Whether the Deployment shows its first ready replica now and is not marked <see cref="Loaded"/> yet.</summary>
    public static bool LoadsNow(JsonObject deployment) =>
        !Loaded(deployment) && (deployment["status"]?["readyReplicas"]?.GetValue<int>() ?? 0) > 0;

    /// <summary>
    /// The autoscaler as it is applied: until the revision has loaded, a ScaledObject that allows zero keeps the initial
    /// scale instead (Knative's initial scale). Without it KEDA, which has never seen the revision active, takes it to zero
    /// at its first poll, before a slow start is ready, and the revision never becomes Ready.
    /// </summary>
    /// <param name="loaded">Whether the revision has had a ready replica (<see cref="Loaded"/>).</param>
    public static AutoscalerObject Applied(AutoscalerObject autoscaler, JsonObject deployment, bool loaded)
    {
        ArgumentNullException.ThrowIfNull(autoscaler);
        ArgumentNullException.ThrowIfNull(deployment);
        if (loaded || autoscaler.Type != Resources.ScaledObjects || Floor(autoscaler) > 0)
        {
            return autoscaler;
        }

        int initial = InitialScale(deployment);
        var held = autoscaler.Object.DeepClone().AsObject();
        held["spec"]!["minReplicaCount"] = Math.Max(1, initial);
        return autoscaler with { Object = held };
    }

    /// <summary>The replicas the revision starts with (its Deployment's annotation; 1 without one).</summary>
    private static int InitialScale(JsonObject deployment) =>
        int.TryParse(ClusterCache.Annotation(deployment, RevisionLabels.InitialScale), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 1;

    /// <summary>The fewest replicas the autoscaler keeps: KEDA's <c>minReplicaCount</c> (0 by default), an HPA's <c>minReplicas</c> (1).</summary>
    private static int Floor(AutoscalerObject autoscaler) => autoscaler.Type == Resources.ScaledObjects
        ? autoscaler.Object["spec"]?["minReplicaCount"]?.GetValue<int>() ?? 0
        : autoscaler.Object["spec"]?["minReplicas"]?.GetValue<int>() ?? 1;
}
