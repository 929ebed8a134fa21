using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Kubernetes.Events;
using Serving.Controller.Kubernetes.Objects;
using Serving.Controller.Planning;
using Serving.Controller.Reconciling;
using Serving.Controller.Storage;
using Serving.Kubernetes.Client;
using Serving.Kubernetes.Informers;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// The controller's backend on Kubernetes, a peer of the local one: a revision is a Deployment (found again by its labels,
/// its identity in an annotation) with a Service and an autoscaler; the status is the InferenceService's status
/// subresource. Writes are level-based and idempotent: objects are created when missing and applied (server-side apply)
/// only when what the cluster holds differs from what is wanted; a Deployment's pod template is never rewritten (a
/// revision never changes), and its replicas are the autoscaler's except while the revision is kept at zero. A revision
/// traffic left keeps its ready replicas for the retirement grace before it is scaled down or deleted. Everything a
/// revision makes is owned by its InferenceService, so deleting the InferenceService deletes it all.
/// </summary>
public sealed partial class KubernetesBackend(
    KubeApi api, ClusterCache cache, ObjectSettings settings, EventRecorder events, Retirement retirement, ILogger<KubernetesBackend> logger) : IServingBackend
{
    private readonly ClusterAddresses _addresses = new(api, cache, settings);

    public async ValueTask<ObservedService> ObserveAsync(InferenceService service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        string ns = service.Metadata.NamespaceOrDefault();
        var revisions = cache.RevisionsOf(ns, service.Metadata.Name ?? "").Select(pair =>
        {
            var deployment = pair.Value;
            var record = new RevisionRecord(pair.Key, ClusterCache.Annotation(deployment, RevisionLabels.TemplateDigest) ?? "", null);
            var observation = RevisionObserver.Observe(deployment, cache.PodsOf(ns, pair.Key));
            return new ObservedRevision(ClusterCache.Label(deployment, RevisionLabels.Component) ?? ComponentTypes.Predictor, record, observation);
        });
        return new ObservedService([.. revisions], service.Status, await _addresses.TakenAsync(service, cancellationToken));
    }

    public async ValueTask ApplyAsync(InferenceService service, ServicePlan? plan, InferenceServiceStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        string ns = service.Metadata.NamespaceOrDefault();
        var existing = cache.RevisionsOf(ns, service.Metadata.Name ?? "");
        var running = plan?.Components.SelectMany(c => c.Revisions.Select(r => (c.Component, Revision: r))).ToList() ?? [];
        var retained = plan?.Components.SelectMany(c => c.Retained).Select(r => r.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        var owner = OwnerJson(service);
        string serviceName = service.Metadata.Name ?? "";
        foreach (var (component, revision) in running)
        {
            if (existing.TryGetValue(revision.Name, out var deployment))
            {
                await KeepRunningAsync(deployment, cancellationToken);
            }
            else if (revision.Template is not null && plan is not null)
            {
                var runtime = component == ComponentTypes.Predictor ? plan.Runtime : null;
                await CreateAsync(owner, new RevisionSource(service, component, revision, runtime, plan.DeploymentMode), cancellationToken);
            }
        }

        foreach (string name in retained)
        {
            if (existing.TryGetValue(name, out var deployment) && await RetiredAsync(deployment, serviceName, cancellationToken))
            {
                await KeepAtZeroAsync(deployment, cancellationToken);
            }
        }

        if (plan is not null)
        {
            await _addresses.EnsureAsync(service, cancellationToken);
        }

        var keep = running.Select(r => r.Revision.Name).Concat(retained).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, deployment) in existing.Where(e => !keep.Contains(e.Key)))
        {
            if (!await RetiredAsync(deployment, serviceName, cancellationToken))
            {
                continue;
            }

            await DeleteRevisionAsync(owner, deployment, cancellationToken);
            LogDeleted(logger, $"{ns}/{name}");
        }
    }

    public async ValueTask WriteStatusAsync(InferenceService service, InferenceServiceStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        var patch = new JsonObject
        {
            ["apiVersion"] = InferenceService.ApiVersionValue,
            ["kind"] = InferenceService.KindValue,
            ["metadata"] = new JsonObject { ["name"] = service.Metadata.Name, ["namespace"] = service.Metadata.NamespaceOrDefault() },
            ["status"] = JsonSerializer.SerializeToNode(status, KubeJson.Options),
        };
        try
        {
            await api.ApplyStatusAsync(Resources.InferenceServices, patch, cancellationToken);
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            return; // deleted meanwhile: nothing to say it to
        }

        var owner = OwnerJson(service);
        foreach (var @event in StatusEvents.Between(service.Status, status))
        {
            await events.RecordAsync(owner, @event, cancellationToken);
        }
    }

    /// <summary>Nothing to do: the InferenceService owns every object of its revisions, and Kubernetes' garbage collector deletes them.</summary>
    public ValueTask DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private async Task CreateAsync(JsonObject owner, RevisionSource source, CancellationToken cancellationToken)
    {
        if (source.Template.StorageUri is { } uri && (uri.StartsWith("s3://", StringComparison.Ordinal) || uri.StartsWith("http", StringComparison.Ordinal)))
        {
            source = source with { StorageEnv = StorageInitializerEnv.For(uri, await ServiceAccountSecretsAsync(source.Namespace, source.ServiceAccount, cancellationToken)) };
        }

        var objects = RevisionObjects.Make(source, settings);
        try
        {
            await api.CreateAsync(Resources.Deployments, source.Namespace, objects.Deployment, cancellationToken);
        }
        catch (KubeApiException e) when (e.StatusCode == 409)
        {
            // Created by a reconcile the cache has not seen yet: the revision exists, as wanted.
        }

        await ApplyIfChangedAsync(cache.Services, Resources.Services, objects.Service, cancellationToken);
        if (objects.Scaling.Autoscaler is { } autoscaler)
        {
            var applied = RunningScale.Applied(autoscaler, objects.Deployment, loaded: false);
            await ApplyIfChangedAsync(AutoscalerCache(applied.Type), applied.Type, applied.Object, cancellationToken);
        }

        LogCreated(logger, $"{source.Namespace}/{source.Revision.Name}", source.Mode);
        await events.RecordAsync(owner, new ObjectEvent(ObjectEvent.Normal, "RevisionCreated",
            $"{source.Component} revision {source.Revision.Name} created ({source.Mode} mode)"), cancellationToken);
    }

    /// <summary>Whether a revision traffic left may lose its replicas now; marks when traffic left it, the first time.</summary>
    private async Task<bool> RetiredAsync(JsonObject deployment, string service, CancellationToken cancellationToken)
    {
        var step = retirement.Step(deployment, service);
        if (step.MarkAt is { } at)
        {
            await AnnotateAsync(deployment, RevisionLabels.RetiredAt, Retirement.Format(at), cancellationToken);
        }

        return step.Proceed;
    }

    /// <summary>
    /// A revision that runs: its Service and autoscaler exist, and its replicas are its autoscaler's unless
    /// <see cref="RunningScale"/> says otherwise (one kept at zero is brought back to its initial scale, one that has not
    /// loaded yet is held at it).
    /// </summary>
    private async Task KeepRunningAsync(JsonObject deployment, CancellationToken cancellationToken)
    {
        bool loaded = RunningScale.Loaded(deployment);
        if (RunningScale.LoadsNow(deployment))
        {
            await AnnotateAsync(deployment, RevisionLabels.LoadedAt, Retirement.Format(DateTimeOffset.UtcNow), cancellationToken);
            loaded = true;
        }

        var autoscaler = AutoscalerOf(deployment) is { } declared ? RunningScale.Applied(declared, deployment, loaded) : null;
        bool autoscalerExists = autoscaler is not null
            && AutoscalerCache(autoscaler.Type)?.Get(ClusterCache.Namespace(deployment), ClusterCache.Name(deployment)) is not null;
        if (RunningScale.Wanted(deployment, autoscaler, autoscalerExists) is { } replicas)
        {
            await ScaleAsync(deployment, replicas, cancellationToken);
        }

        if (Retirement.RetiredAt(deployment) is not null)
        {
            await AnnotateAsync(deployment, RevisionLabels.RetiredAt, null, cancellationToken); // traffic came back before its grace ended
        }

        await ApplyIfChangedAsync(cache.Services, Resources.Services, ServiceBuilder.Make(deployment), cancellationToken);
        if (autoscaler is not null)
        {
            await ApplyIfChangedAsync(AutoscalerCache(autoscaler.Type), autoscaler.Type, autoscaler.Object, cancellationToken);
        }
    }

    /// <summary>A revision kept for a rollback: no replica, no autoscaler (its autoscaler is in an annotation, for when traffic returns).</summary>
    private async Task KeepAtZeroAsync(JsonObject deployment, CancellationToken cancellationToken)
    {
        if (AutoscalerOf(deployment) is { } autoscaler && AutoscalerCache(autoscaler.Type)?.Get(ClusterCache.Namespace(deployment), ClusterCache.Name(deployment)) is not null)
        {
            await api.DeleteAsync(autoscaler.Type, ClusterCache.Namespace(deployment), ClusterCache.Name(deployment), cancellationToken);
        }

        if ((deployment["spec"]?["replicas"]?.GetValue<int>() ?? 1) != 0)
        {
            await ScaleAsync(deployment, 0, cancellationToken);
        }
    }

    private async Task DeleteRevisionAsync(JsonObject owner, JsonObject deployment, CancellationToken cancellationToken)
    {
        string ns = ClusterCache.Namespace(deployment);
        string name = ClusterCache.Name(deployment);
        if (AutoscalerOf(deployment) is { } autoscaler)
        {
            await DeleteQuietlyAsync(autoscaler.Type, ns, name, cancellationToken);
        }

        await DeleteQuietlyAsync(Resources.Services, ns, name, cancellationToken);
        await DeleteQuietlyAsync(Resources.Deployments, ns, name, cancellationToken);
        await events.RecordAsync(owner, new ObjectEvent(ObjectEvent.Normal, "RevisionDeleted", $"revision {name} deleted: no traffic reaches it"), cancellationToken);
    }

    private async Task DeleteQuietlyAsync(ResourceType type, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await api.DeleteAsync(type, ns, name, cancellationToken);
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            // a kind the cluster does not serve (KEDA not installed): nothing to delete
        }
    }

    /// <summary>
    /// The Secrets a ServiceAccount links, read one by one by name (the controller never lists or watches Secrets): where
    /// KServe's users keep storage credentials and their endpoint annotations.
    /// </summary>
    private async Task<IReadOnlyList<StorageSecret>> ServiceAccountSecretsAsync(string ns, string account, CancellationToken cancellationToken)
    {
        var secrets = new List<StorageSecret>();
        var serviceAccount = await api.GetAsync(Resources.ServiceAccounts.ObjectPath(ns, account), cancellationToken);
        foreach (var reference in serviceAccount?["secrets"]?.AsArray() ?? [])
        {
            if (reference?["name"]?.GetValue<string>() is not { } name
                || await api.GetAsync(Resources.Secrets.ObjectPath(ns, name), cancellationToken) is not { } secret)
            {
                continue;
            }

            var annotations = secret["metadata"]?["annotations"]?.AsObject().ToDictionary(a => a.Key, a => a.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
            var data = secret["data"]?.AsObject().ToDictionary(d => d.Key, d => Convert.FromBase64String(d.Value?.GetValue<string>() ?? ""), StringComparer.Ordinal);
            secrets.Add(new StorageSecret(name, annotations, data));
        }

        return secrets;
    }

    private Task AnnotateAsync(JsonObject deployment, string annotation, string? value, CancellationToken cancellationToken) =>
        api.MergePatchAsync(
            Resources.Deployments.ObjectPath(ClusterCache.Namespace(deployment), ClusterCache.Name(deployment)),
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [annotation] = value } } },
            cancellationToken);

    private Task ScaleAsync(JsonObject deployment, int replicas, CancellationToken cancellationToken) =>
        api.MergePatchAsync(
            Resources.Deployments.ObjectPath(ClusterCache.Namespace(deployment), ClusterCache.Name(deployment)),
            new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } },
            cancellationToken);

    /// <summary>Server-side apply, skipped when the cached object already has every field as wanted.</summary>
    private async Task ApplyIfChangedAsync(Informer? informer, ResourceType type, JsonObject wanted, CancellationToken cancellationToken)
    {
        var metadata = wanted["metadata"]!;
        var actual = informer?.Get(metadata["namespace"]?.GetValue<string>(), metadata["name"]!.GetValue<string>());
        if (actual is not null && JsonSubset.Contains(actual, wanted))
        {
            return;
        }

        await api.ApplyAsync(type, wanted, cancellationToken);
    }

    private Informer? AutoscalerCache(ResourceType type) => type == Resources.ScaledObjects ? cache.ScaledObjects : cache.Hpas;

    /// <summary>The autoscaler a revision was created with, kept in its Deployment's annotation.</summary>
    private static AutoscalerObject? AutoscalerOf(JsonObject deployment)
    {
        if (ClusterCache.Annotation(deployment, RevisionLabels.Autoscaler) is not { } text || JsonNode.Parse(text) is not JsonObject value)
        {
            return null;
        }

        string apiVersion = value["apiVersion"]?.GetValue<string>() ?? "";
        var type = apiVersion == Resources.ScaledObjects.ApiVersion ? Resources.ScaledObjects
            : apiVersion == Resources.HorizontalPodAutoscalersV2Beta2.ApiVersion ? Resources.HorizontalPodAutoscalersV2Beta2
            : Resources.HorizontalPodAutoscalersV2;
        return new AutoscalerObject(type, value);
    }

    private static JsonObject OwnerJson(InferenceService service) => new()
    {
        ["apiVersion"] = InferenceService.ApiVersionValue,
        ["kind"] = InferenceService.KindValue,
        ["metadata"] = new JsonObject
        {
            ["name"] = service.Metadata.Name,
            ["namespace"] = service.Metadata.NamespaceOrDefault(),
            ["uid"] = service.Metadata.Uid,
            ["resourceVersion"] = service.Metadata.ResourceVersion,
        },
    };


    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "revision {Revision} created ({Mode} mode)")]
    private static partial void LogCreated(ILogger logger, string revision, string mode);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "revision {Revision} deleted: no traffic reaches it")]
    private static partial void LogDeleted(ILogger logger, string revision);
}
