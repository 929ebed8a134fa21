using System.Globalization;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.RuntimeSelection;

/// <summary>
/// KServe's runtime selection for a predictor <c>model</c> (kserve-api.md §5.1; <c>predictor.go</c> <c>reconcileModel</c>,
/// <c>predictor_model.go</c> <c>GetSupportingRuntimes</c>). Expects a defaulted InferenceService (shortcuts already
/// rewritten into <c>model</c>).
/// </summary>
public static class RuntimeSelector
{
    public static RuntimeSelectionResult Select(InferenceService isvc, RuntimeCatalog catalog, RuntimeSelectionOptions? options = null)
    {
        options ??= RuntimeSelectionOptions.Default;
        var predictor = isvc.Spec.Predictor;
        if (predictor?.Model is not { } model)
        {
            return RuntimeSelectionResult.NotRequired;
        }

        string ns = isvc.Metadata.Namespace ?? "";
        bool multiNode = predictor.WorkerSpec is not null;
        RuntimeSelectionResult result;
        if (model.Runtime is { Length: > 0 } name)
        {
            var named = Find(catalog, name, ns);
            result = named is null && options.ReplaceMissingKServeRuntimes && KServeRuntimeNames.BuiltIn.Contains(name)
                ? AutoSelect(model, catalog, ns, multiNode, replaces: name)
                : Explicit(model, name, named);
        }
        else
        {
            result = AutoSelect(model, catalog, ns, multiNode, replaces: null);
        }

        // buildPodSpec: a runtime without containers cannot run anything.
        if (result.Runtime is { Runtime.Spec.Containers: null or { Count: 0 } })
        {
            const string noContainer = "no container configuration found in selected serving runtime";
            return RuntimeSelectionResult.Failed(FailureReasons.InvalidPredictorSpec, noContainer, noContainer);
        }

        return result;
    }

    /// <summary>
    /// Writes a selection into the object as KServe does: the chosen name into <c>spec.predictor.model.runtime</c>, the
    /// protocol when the model named none, and <c>status.(cluster)ServingRuntimeName</c>; or, on failure,
    /// <c>status.modelStatus</c> = <c>InvalidSpec</c> / <c>FailedToLoad</c> with the failure reason.
    /// </summary>
    public static InferenceService Apply(InferenceService isvc, RuntimeSelectionResult selection)
    {
        var status = isvc.Status ?? new InferenceServiceStatus();
        switch (selection)
        {
            case { Runtime: { } runtime }:
                var predictor = isvc.Spec.Predictor!;
                var model = predictor.Model! with { Runtime = runtime.Name, ProtocolVersion = predictor.Model!.ProtocolVersion ?? runtime.ProtocolVersion };
                return isvc with
                {
                    Spec = isvc.Spec with { Predictor = predictor with { Model = model } },
                    Status = status with
                    {
                        ServingRuntimeName = runtime.Scope == RuntimeScope.Namespaced ? runtime.Name : null,
                        ClusterServingRuntimeName = runtime.Scope == RuntimeScope.Cluster ? runtime.Name : null,
                    },
                };
            case { Failure: { } failure }:
                // UpdateModelTransitionStatus(InvalidSpec, …): the target state becomes FailedToLoad.
                var modelStatus = status.ModelStatus ?? new ModelStatus();
                return isvc with
                {
                    Status = status with
                    {
                        ModelStatus = modelStatus with
                        {
                            TransitionStatus = TransitionStatuses.InvalidSpec,
                            States = (modelStatus.States ?? new ModelRevisionStates()) with { TargetModelState = ModelStates.FailedToLoad },
                            LastFailureInfo = new FailureInfo { Reason = failure.Reason, Message = failure.Message },
                        },
                    },
                };
            default:
                return isvc;
        }
    }

    /// <summary><c>GetServingRuntime</c>: a ServingRuntime in the InferenceService's namespace first, then a ClusterServingRuntime.</summary>
    private static (IServingRuntime Runtime, RuntimeScope Scope)? Find(RuntimeCatalog catalog, string name, string ns)
    {
        if (catalog.ServingRuntimes.FirstOrDefault(r => r.Metadata.Name == name && r.Metadata.Namespace == ns) is { } namespaced)
        {
            return (namespaced, RuntimeScope.Namespaced);
        }

        return catalog.ClusterServingRuntimes.FirstOrDefault(r => r.Metadata.Name == name) is { } cluster
            ? (cluster, RuntimeScope.Cluster)
            : null;
    }

    /// <summary>An explicitly named runtime: checked in KServe's order; autoSelect and multiModel do not matter.</summary>
    private static RuntimeSelectionResult Explicit(ModelSpec model, string name, (IServingRuntime Runtime, RuntimeScope Scope)? found)
    {
        if (found is not var (runtime, scope))
        {
            return RuntimeSelectionResult.Failed(
                FailureReasons.RuntimeNotRecognized, "Waiting for runtime to become available", "No ServingRuntimes or ClusterServingRuntimes with the name: " + name);
        }

        if (runtime.Spec.IsDisabled)
        {
            return RuntimeSelectionResult.Failed(FailureReasons.RuntimeDisabled, "Specified runtime is disabled", $"specified runtime {name} is disabled");
        }

        if (model.ProtocolVersion is { } protocol && !SupportsProtocol(runtime.Spec, protocol))
        {
            return RuntimeSelectionResult.Failed(
                FailureReasons.NoSupportingRuntime,
                "Specified runtime does not support specified protocol version",
                $"specified runtime {name} does not support specified protocol version {protocol}");
        }

        if (!SupportsModel(runtime.Spec, model.ModelFormat, explicitRuntime: true))
        {
            return RuntimeSelectionResult.Failed(
                FailureReasons.NoSupportingRuntime,
                "Specified runtime does not support specified framework/version",
                $"specified runtime {name} does not support specified framework/version (model type: {model.ModelFormat}); it supports {Formats(runtime.Spec)}");
        }

        return RuntimeSelectionResult.Selected(new SelectedRuntime(name, scope, runtime, Protocol(model, runtime.Spec), AutoSelected: false));
    }

    /// <summary>
    /// <c>GetSupportingRuntimes</c>: enabled single-model runtimes with an autoSelect entry for the format (and version, as
    /// an exact string) and the model's protocol (nil = v1); namespaced before cluster; within each, KServe's order.
    /// </summary>
    private static RuntimeSelectionResult AutoSelect(ModelSpec model, RuntimeCatalog catalog, string ns, bool multiNode, string? replaces)
    {
        string protocol = model.EffectiveProtocol;
        bool Candidate(IServingRuntime r) =>
            !r.Spec.IsDisabled && !r.Spec.IsMultiModel && r.Spec.IsMultiNode == multiNode
            && SupportsModel(r.Spec, model.ModelFormat, explicitRuntime: false) && SupportsProtocol(r.Spec, protocol);

        var namespaced = Order(catalog.ServingRuntimes.Where(r => r.Metadata.Namespace == ns && Candidate(r)), model.ModelFormat.Name);
        var cluster = Order(catalog.ClusterServingRuntimes.Where(Candidate), model.ModelFormat.Name);
        var winner = namespaced.Select(r => (Runtime: (IServingRuntime)r, Scope: RuntimeScope.Namespaced))
            .Concat(cluster.Select(r => (Runtime: (IServingRuntime)r, Scope: RuntimeScope.Cluster)))
            .FirstOrDefault();
        if (winner.Runtime is null)
        {
            string error = $"no runtime found to support predictor with model type: {model.ModelFormat} (protocol {protocol})";
            if (replaces is not null)
            {
                error += $"; the named runtime {replaces} is a KServe built-in runtime, not installed on this platform";
            }

            error += "; " + Installed(catalog, ns);

            return RuntimeSelectionResult.Failed(FailureReasons.NoSupportingRuntime, "No runtime found to support specified framework/version", error);
        }

        return RuntimeSelectionResult.Selected(new SelectedRuntime(
            winner.Runtime.Metadata.Name!, winner.Scope, winner.Runtime, Protocol(model, winner.Runtime.Spec), AutoSelected: true, replaces));
    }

    /// <summary>What the installed runtimes can serve, for a newcomer whose format none supports: <c>onnx (serving-onnxruntime, v1/v2)</c>.</summary>
    private static string Installed(RuntimeCatalog catalog, string ns)
    {
        var runtimes = catalog.ServingRuntimes.Where(r => r.Metadata.Namespace == ns).Cast<IServingRuntime>()
            .Concat(catalog.ClusterServingRuntimes)
            .Where(r => !r.Spec.IsDisabled && !r.Spec.IsMultiModel)
            .Select(r => $"{Formats(r.Spec, autoSelectOnly: true)} ({r.Metadata.Name}, {string.Join('/', r.Spec.ProtocolVersions ?? ["v1"])})")
            .ToList();
        return runtimes.Count == 0
            ? "no runtime is installed"
            : $"the installed runtimes serve: {string.Join("; ", runtimes)} (a model of another format needs a ServingRuntime that lists it)";
    }

    private static string Formats(ServingRuntimeSpec spec, bool autoSelectOnly = false)
    {
        var formats = (spec.SupportedModelFormats ?? [])
            .Where(f => !autoSelectOnly || f.AutoSelect == true)
            .Select(f => f.Version is null ? f.Name : $"{f.Name} {f.Version}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return formats.Count == 0 ? "no format" : string.Join(", ", formats);
    }

    /// <summary>
    /// KServe's order: lowest protocol rank first, then newest creationTimestamp, then name; then a stable sort putting
    /// runtimes with a higher priority for the format first (runtimes without one last). The priority is that of the first
    /// entry with the format's name, whatever its version.
    /// </summary>
    private static List<T> Order<T>(IEnumerable<T> runtimes, string formatName)
        where T : IServingRuntime
    {
        var sorted = runtimes
            .OrderBy(r => ProtocolRank(r.Spec))
            .ThenByDescending(r => Created(r.Metadata))
            .ThenBy(r => r.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        // OrderBy is stable, so equal priorities keep the order above.
        return sorted
            .OrderBy(r => Priority(r.Spec, formatName) is null ? 1 : 0)
            .ThenByDescending(r => Priority(r.Spec, formatName) ?? 0)
            .ToList();
    }

    private static int? Priority(ServingRuntimeSpec spec, string formatName) =>
        spec.SupportedModelFormats?.FirstOrDefault(f => f.Name == formatName)?.Priority;

    /// <summary><c>GetProtocolVersionPriority</c>: the smallest rank in the list; an empty list ranks 5.</summary>
    private static int ProtocolRank(ServingRuntimeSpec spec) =>
        spec.ProtocolVersions is { Count: > 0 } protocols ? protocols.Min(ProtocolVersions.Rank) : ProtocolVersions.UnknownRank;

    /// <summary>A missing timestamp is Go's zero time: older than any other.</summary>
    private static DateTimeOffset Created(ObjectMeta metadata) =>
        DateTimeOffset.TryParse(metadata.CreationTimestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            ? created
            : DateTimeOffset.MinValue;

    /// <summary>
    /// <c>RuntimeSupportsModel</c>: the runtime's formats as labels <c>mt:name</c> and <c>mt:name:version</c> (autoSelect
    /// entries only, unless the runtime was named); the model's label must be among them. So a model without a version
    /// matches any entry of its name, and a versioned model needs an entry with exactly that version string.
    /// </summary>
    private static bool SupportsModel(ServingRuntimeSpec spec, ModelFormat format, bool explicitRuntime)
    {
        string label = format.Version is null ? "mt:" + format.Name : $"mt:{format.Name}:{format.Version}";
        foreach (var supported in spec.SupportedModelFormats ?? [])
        {
            if (!explicitRuntime && !supported.IsAutoSelect)
            {
                continue;
            }

            if (label == "mt:" + supported.Name || (supported.Version is not null && label == $"mt:{supported.Name}:{supported.Version}"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>IsProtocolVersionSupported</c>: any protocol fits a runtime that lists none.</summary>
    private static bool SupportsProtocol(ServingRuntimeSpec spec, string protocol) =>
        protocol.Length == 0 || spec.ProtocolVersions is not { Count: > 0 } || spec.ProtocolVersions.Contains(protocol);

    /// <summary>After selection a model without a protocol gets the runtime's lowest-ranked one (Triton ⇒ v2).</summary>
    private static string? Protocol(ModelSpec model, ServingRuntimeSpec spec) =>
        model.ProtocolVersion ?? spec.ProtocolVersions?.MinBy(ProtocolVersions.Rank);
}
