using System.Text.Json.Nodes;
using Serving.Autoscaling.Configuration;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Kubernetes.Client;
using Serving.Scaler.Keda;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>A revision's autoscaler (a KEDA ScaledObject or an HPA) and where it lives in the API.</summary>
public sealed record AutoscalerObject(ResourceType Type, JsonObject Object);

/// <summary>How a revision's replicas are managed, and the replicas it starts with.</summary>
/// <param name="Autoscaler">Null: nothing scales it (<c>none</c>: pinned to <paramref name="Initial"/>; <c>external</c>: the user's).</param>
/// <param name="Pinned">The replicas stay at <paramref name="Initial"/> (<c>autoscalerClass: none</c>).</param>
public sealed record Scaling(AutoscalerObject? Autoscaler, int Initial, bool Pinned);

/// <summary>
/// KServe's autoscaling mapping (kserve-api.md §8), with this platform's scaler for request-driven scaling:
/// serverless revisions get a KEDA ScaledObject with an <c>external-push</c> trigger to the platform's scaler
/// (<c>minReplicaCount</c> 0 allowed, <c>cooldownPeriod</c> the scale-to-zero grace); raw revisions follow
/// <c>serving.kserve.io/autoscalerClass</c>: <c>hpa</c> (the default: an HPA on cpu or memory), <c>keda</c> (the same
/// ScaledObject, never below one), <c>none</c> (replicas pinned to minReplicas) or <c>external</c> (left to the user). A raw
/// revision that scales on concurrency or rps gets the ScaledObject too: an HPA cannot see requests.
/// </summary>
internal static class AutoscalerBuilder
{
    public const int DefaultMaxReplicas = 100; // KEDA's default maxReplicaCount where KServe's maxReplicas is 0 (unbounded)

    public static Scaling Make(RevisionSource source, ObjectSettings settings)
    {
        ArgumentNullException.ThrowIfNull(source);
        var template = source.Template;
        var spec = source.Spec;
        var kserve = new KServeScaling
        {
            MinReplicas = template.Scaling.MinReplicas,
            MaxReplicas = template.Scaling.MaxReplicas,
            ScaleTarget = template.Scaling.ScaleTarget,
            ScaleMetric = template.Scaling.ScaleMetric,
            ContainerConcurrency = template.ContainerConcurrency,
        };
        var config = ConfigOf(kserve, template.Scaling.Annotations);
        int max = config.MaxScale > 0 ? config.MaxScale : DefaultMaxReplicas;
        if (source.Mode == DeploymentModes.Knative)
        {
            // A new revision starts one replica to prove it loads (Knative's initial scale); KEDA takes it from there.
            return new Scaling(ScaledObject(source, settings, kserve, config.MinScale, max, config), Math.Max(1, config.MinScale), Pinned: false);
        }

        int min = Math.Max(1, template.Scaling.MinReplicas ?? 1);
        max = Math.Max(max, min);
        string autoscalerClass = source.Service.Metadata.Annotation(Annotations.AutoscalerClass) ?? AutoscalerClasses.Hpa;
        string metric = template.Scaling.ScaleMetric ?? ScaleMetrics.Cpu;
        return autoscalerClass switch
        {
            AutoscalerClasses.None => new Scaling(null, min, Pinned: true),
            AutoscalerClasses.External => new Scaling(null, min, Pinned: false),
            AutoscalerClasses.Keda => new Scaling(ScaledObject(source, settings, kserve, min, max, config), min, Pinned: false),
            _ when metric is ScaleMetrics.Concurrency or ScaleMetrics.Rps => new Scaling(ScaledObject(source, settings, kserve, min, max, config), min, Pinned: false),
            _ => new Scaling(Hpa(source, settings, spec, metric, min, max), min, Pinned: false),
        };
    }

    /// <summary>
    /// The KPA settings the scaler will read from the trigger; a raw revision scaled on cpu or memory (which the KPA does
    /// not know) keeps its replica bounds and the default metric.
    /// </summary>
    private static AutoscalingConfig ConfigOf(KServeScaling kserve, IReadOnlyDictionary<string, string> annotations)
    {
        try
        {
            return AutoscalingConfigParser.FromKServe(kserve, annotations);
        }
        catch (AutoscalingConfigException)
        {
            return AutoscalingConfigParser.FromKServe(kserve with { ScaleMetric = null, ScaleTarget = null }, annotations);
        }
    }

    private static AutoscalerObject ScaledObject(RevisionSource source, ObjectSettings settings, KServeScaling kserve, int min, int max, AutoscalingConfig config)
    {
        // cpu and memory are not the scaler's metrics (an HPA's): its trigger scales on requests in flight.
        var triggerScaling = kserve.ScaleMetric is ScaleMetrics.Cpu or ScaleMetrics.Memory ? kserve with { ScaleMetric = null, ScaleTarget = null } : kserve;
        var metadata = ScaledObjectTarget.Metadata(
            settings.ScalerAddress, source.Name, source.Component, source.Revision.Name, triggerScaling, source.Template.Scaling.Annotations, settings.ScalerTls);
        var trigger = new JsonObject
        {
            ["type"] = "external-push",
            ["metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value)))),
        };
        if (settings.ScalerAuthentication is { } authentication)
        {
            // KEDA reads caCert, tlsClientCert and tlsClientKey for the scaler's connection only from there (authParams).
            trigger["authenticationRef"] = new JsonObject { ["name"] = authentication.Name, ["kind"] = authentication.Kind };
        }

        var scaledObject = new JsonObject
        {
            ["apiVersion"] = Resources.ScaledObjects.ApiVersion,
            ["kind"] = Resources.ScaledObjects.Kind,
            ["metadata"] = ObjectMetadata.For(source),
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = source.Revision.Name },
                ["minReplicaCount"] = min,
                ["maxReplicaCount"] = max,
                ["pollingInterval"] = 5,
                ["cooldownPeriod"] = (int)Math.Ceiling(config.ScaleToZeroGracePeriod.TotalSeconds),
                ["triggers"] = new JsonArray(trigger),
            },
        };
        return new AutoscalerObject(Resources.ScaledObjects, scaledObject);
    }

    /// <summary>KServe's <c>hpa_reconciler.go</c>: Resource metrics from <c>autoScaling.metrics</c>, else <c>scaleMetric</c> (cpu 80% by default).</summary>
    private static AutoscalerObject Hpa(RevisionSource source, ObjectSettings settings, ComponentSpec spec, string metric, int min, int max)
    {
        var metrics = new JsonArray();
        foreach (var resource in spec.AutoScaling?.Metrics?.Where(m => m.Type == "Resource" && m.Resource is not null).Select(m => m.Resource!) ?? [])
        {
            metrics.Add(Resource(resource.Name, resource.Target.Type ?? MetricTarget.Utilization, resource.Target.AverageUtilization, resource.Target.TargetAverageValue));
        }

        if (metrics.Count == 0)
        {
            int? target = source.Template.Scaling.ScaleTarget;
            metrics.Add(metric == ScaleMetrics.Memory
                ? Resource("memory", MetricTarget.Utilization, target ?? 80, null)
                : Resource("cpu", MetricTarget.Utilization, target ?? 80, null));
        }

        var type = settings.HpaVersion == "v2beta2" ? Resources.HorizontalPodAutoscalersV2Beta2 : Resources.HorizontalPodAutoscalersV2;
        var hpa = new JsonObject
        {
            ["apiVersion"] = type.ApiVersion,
            ["kind"] = type.Kind,
            ["metadata"] = ObjectMetadata.For(source),
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = source.Revision.Name },
                ["minReplicas"] = min,
                ["maxReplicas"] = max,
                ["metrics"] = metrics,
            },
        };
        return new AutoscalerObject(type, hpa);
    }

    private static JsonObject Resource(string name, string targetType, int? utilization, string? averageValue)
    {
        var target = new JsonObject { ["type"] = targetType };
        if (targetType == MetricTarget.Utilization)
        {
            target["averageUtilization"] = utilization ?? 80;
        }
        else
        {
            target["averageValue"] = averageValue ?? "0";
        }

        return new JsonObject { ["type"] = "Resource", ["resource"] = new JsonObject { ["name"] = name, ["target"] = target } };
    }
}
