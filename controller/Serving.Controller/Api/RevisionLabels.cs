namespace Serving.Controller.Api;

/// <summary>
/// The labels and annotations a revision's Kubernetes objects carry: the controller writes them, and whatever finds a
/// revision again (the controller after a restart, the gateway's Kubernetes route source) reads them. One owner for both.
/// </summary>
public static class RevisionLabels
{
    /// <summary>KServe's: the InferenceService an object belongs to.</summary>
    public const string InferenceService = "serving.kserve.io/inferenceservice";

    /// <summary>KServe's (unprefixed, as KServe spells it): <c>predictor</c>, <c>transformer</c> or <c>explainer</c>.</summary>
    public const string Component = "component";

    /// <summary>The revision (<c>{isvc}-{component}-{NNNNN}</c>); the pod selector of a revision's Deployment and Service.</summary>
    public const string Revision = "serving.kserve.io/revision";

    /// <summary>KServe's raw-mode pod label: <c>isvc.{isvc}-{component}</c>.</summary>
    public const string App = "app";

    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>The value of <see cref="ManagedBy"/> on everything this controller makes.</summary>
    public const string Manager = "serving-controller";

    /// <summary>Annotation: the digest of the template the revision was created from (its identity).</summary>
    public const string TemplateDigest = "serving.kserve.io/template-digest";

    /// <summary>
    /// Annotation on the Deployment: the per-replica request limit (<c>containerConcurrency</c>; 0 = none). Also a label on
    /// the revision's Service, which Kubernetes copies onto its EndpointSlices: the gateway's Kubernetes route source reads
    /// it there, with the ready endpoints, and needs no access to Deployments.
    /// </summary>
    public const string ContainerConcurrency = "serving.kserve.io/container-concurrency";

    /// <summary>Annotation: the protocol the predictor's model speaks (<c>v1</c>, <c>v2</c>), for graph steps; a Service label too, as <see cref="ContainerConcurrency"/>.</summary>
    public const string ProtocolVersion = "serving.kserve.io/protocol-version";

    /// <summary>Annotation: the deployment mode the revision runs in (<c>Knative</c>, <c>Standard</c>).</summary>
    public const string DeploymentMode = "serving.kserve.io/deploymentMode";

    /// <summary>
    /// Annotation: the revision's autoscaler object as JSON, so that a revision kept at zero (its autoscaler deleted) gets
    /// the same one back when traffic returns to it, after a restart of the controller too.
    /// </summary>
    public const string Autoscaler = "serving.kserve.io/autoscaler";

    /// <summary>Annotation: the replicas the revision starts with (again, when traffic returns to it after being kept at zero).</summary>
    public const string InitialScale = "serving.kserve.io/initial-scale";

    /// <summary>Annotation, <c>true</c>: nothing scales the revision; its replicas stay at the initial scale (<c>autoscalerClass: none</c>).</summary>
    public const string Pinned = "serving.kserve.io/pinned-replicas";

    /// <summary>
    /// Annotation: when the revision first had a ready replica (RFC 3339). Until then a revision that may scale to zero is
    /// held at its initial scale (Knative's initial scale: a new revision proves it loads before it may go to zero).
    /// </summary>
    public const string LoadedAt = "serving.kserve.io/loaded-at";

    /// <summary>
    /// Annotation: when traffic left the revision (RFC 3339). Its replicas keep serving for the retirement grace after it,
    /// so that every gateway has seen the status that moved traffic away before the revision is scaled down or deleted.
    /// </summary>
    public const string RetiredAt = "serving.kserve.io/retired-at";
}
