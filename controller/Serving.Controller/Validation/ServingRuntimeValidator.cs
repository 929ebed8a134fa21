using Serving.Controller.Api.V1Alpha1;

namespace Serving.Controller.Validation;

/// <summary>
/// KServe's (Cluster)ServingRuntime admission (<c>servingruntime_webhook.go</c>, kserve-api.md §5.1) after the CRD schema
/// checks: priorities must make auto-selection deterministic.
/// </summary>
public static class ServingRuntimeValidator
{
    /// <param name="runtime">The runtime being admitted.</param>
    /// <param name="existing">Runtimes already installed; only those of the same kind (and, for namespaced ones, the same namespace) are compared.</param>
    public static IReadOnlyList<string> Validate(IServingRuntime runtime, IEnumerable<IServingRuntime> existing)
    {
        var errors = new List<string>();
        var spec = runtime.Spec;
        string name = runtime.Metadata.Name ?? "";
        bool cluster = runtime is ClusterServingRuntime;

        // CRD schema.
        if (spec.Containers is not { Count: > 0 })
        {
            errors.Add(Messages.Required("spec.containers"));
        }

        var formats = spec.SupportedModelFormats ?? [];
        for (int i = 0; i < formats.Count; i++)
        {
            if (formats[i].Name.Length == 0)
            {
                errors.Add(Messages.Required($"spec.supportedModelFormats[{i}].name"));
            }

            if (formats[i].Priority is { } priority && priority < 1)
            {
                errors.Add(Messages.Minimum($"spec.supportedModelFormats[{i}].priority", priority, 1));
            }
        }

        // A disabled runtime is never selected, so its priorities cannot clash.
        if (spec.IsDisabled)
        {
            return errors;
        }

        // validateModelFormatPrioritySame: one runtime, one priority per autoSelect format name. (KServe only runs this
        // while comparing with an existing runtime; it is a rule about this runtime alone, so it always runs here.)
        var priorities = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var format in formats.Where(f => f.IsAutoSelect))
        {
            if (!priorities.TryAdd(format.Name, format.Priority)
                && priorities[format.Name] is { } first && format.Priority is { } other && first != other)
            {
                errors.Add($"different priorities assigned for the model format {format.Name} under the {(cluster ? "clusterservingruntime" : "servingruntime")} {name}");
                break;
            }
        }

        var peers = existing.Where(e => e.GetType() == runtime.GetType()
            && (cluster || e.Metadata.Namespace == runtime.Metadata.Namespace));
        foreach (var peer in peers)
        {
            if (SamePriority(spec, peer.Spec, name, peer.Metadata.Name ?? "") is { } format)
            {
                errors.Add(cluster
                    ? $"same priority assigned for the model format {format} in the clusterservingruntimes {peer.Metadata.Name} and {name}"
                    : $"same priority assigned for the model format {format} in the servingruntimes {peer.Metadata.Name} and {name} in namespace {runtime.Metadata.Namespace}");
            }
        }

        return errors;
    }

    /// <summary>
    /// <c>validateServingRuntimePriority</c>: two enabled runtimes of the same multi-model kind sharing a protocol may not
    /// give an equal autoSelect format (name case-insensitive, identical version) the same priority.
    /// </summary>
    private static string? SamePriority(ServingRuntimeSpec added, ServingRuntimeSpec existing, string addedName, string existingName)
    {
        if (added.IsMultiModel != existing.IsMultiModel || existing.IsDisabled || addedName == existingName)
        {
            return null;
        }

        var addedProtocols = added.ProtocolVersions ?? [];
        if (!(existing.ProtocolVersions ?? []).Any(addedProtocols.Contains))
        {
            return null;
        }

        foreach (var old in (existing.SupportedModelFormats ?? []).Where(f => f.IsAutoSelect))
        {
            foreach (var now in (added.SupportedModelFormats ?? []).Where(f => f.IsAutoSelect))
            {
                if (string.Equals(old.Name, now.Name, StringComparison.OrdinalIgnoreCase) && old.Version == now.Version
                    && old.Priority is { } p1 && now.Priority is { } p2 && p1 == p2)
                {
                    return now.Name;
                }
            }
        }

        return null;
    }
}
