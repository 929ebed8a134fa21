using System.Text.Json.Nodes;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>Everything one revision runs as: its Deployment, its Service, and how its replicas are scaled.</summary>
public sealed record RevisionObjects(JsonObject Deployment, JsonObject Service, Scaling Scaling)
{
    /// <summary>
    /// The objects of a revision, built by pure functions from the admitted InferenceService and the revision's template
    /// (golden-tested: isvc in, objects out). The controller only compares and applies them.
    /// </summary>
    public static RevisionObjects Make(RevisionSource source, ObjectSettings settings)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        var scaling = AutoscalerBuilder.Make(source, settings);
        var deployment = DeploymentBuilder.Make(source, settings, scaling);
        return new RevisionObjects(deployment, ServiceBuilder.Make(deployment), scaling);
    }
}
