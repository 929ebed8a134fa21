using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>What one revision's objects are built from: the admitted InferenceService and the revision of one component.</summary>
/// <param name="Service">The InferenceService as admitted (defaulted, runtime written back), with its uid.</param>
/// <param name="Component"><c>predictor</c>, <c>transformer</c> or <c>explainer</c>.</param>
/// <param name="Revision">The revision, with the template it was created from.</param>
/// <param name="Runtime">The selected runtime, for a predictor with a model; null for custom containers.</param>
/// <param name="Mode"><c>Knative</c> (scale to zero) or <c>Standard</c> (raw: at least one replica).</param>
/// <param name="StorageEnv">The storage initializer's environment (credentials as secretKeyRefs, endpoints), from the Secrets of the component's ServiceAccount.</param>
public sealed record RevisionSource(
    InferenceService Service, string Component, RevisionRecord Revision, SelectedRuntime? Runtime, string Mode, IReadOnlyList<Api.Core.EnvVar>? StorageEnv = null)
{
    public RevisionTemplate Template => Revision.Template ?? throw new InvalidOperationException($"revision {Revision.Name} has no template to build objects from");

    public ComponentSpec Spec => Component switch
    {
        ComponentTypes.Transformer => Service.Spec.Transformer!,
        ComponentTypes.Explainer => Service.Spec.Explainer!,
        _ => Service.Spec.Predictor!,
    };

    public string Namespace => Service.Metadata.NamespaceOrDefault();

    public string Name => Service.Metadata.Name ?? "";

    /// <summary>The ServiceAccount the revision's pods run as (KServe: the component's, else the namespace's default).</summary>
    public string ServiceAccount => Spec.ServiceAccountName ?? "default";
}

/// <summary>The cluster-wide settings objects are built with (the chart's values).</summary>
/// <param name="ScalerAddress">Where KEDA reaches this platform's external scaler: <c>host:port</c>.</param>
/// <param name="HpaVersion"><c>v2</c> where served (1.23+), else <c>v2beta2</c>: chosen by discovery.</param>
/// <param name="StorageInitializerImage">The image of the init container that downloads models; null: the runtime's own image (one binary).</param>
/// <param name="GatewayService">The gateway's Service as <c>name.namespace</c>: where an InferenceService's cluster-local name points.</param>
public sealed record ObjectSettings(
    string ScalerAddress, string HpaVersion = "v2", string? StorageInitializerImage = null, string GatewayService = ObjectSettings.DefaultGatewayService)
{
    public const string DefaultGatewayService = "serving-gateway.serving-system";

    /// <summary>The cluster's service domain: Services are <c>{name}.{namespace}.svc.cluster.local</c>.</summary>
    public const string ClusterLocalDomain = "svc.cluster.local";

    /// <summary>Where models are, in every container that serves one (KServe's <c>DefaultModelLocalMountPath</c>).</summary>
    public const string ModelMountPath = "/mnt/models";

    /// <summary>KEDA dials the scaler over TLS: every trigger gets <c>enableTLS: "true"</c>.</summary>
    public bool ScalerTls { get; init; }

    /// <summary>Where KEDA reads <c>caCert</c>, <c>tlsClientCert</c> and <c>tlsClientKey</c> for the scaler; null: none.</summary>
    public TriggerAuthenticationRef? ScalerAuthentication { get; init; }
}
