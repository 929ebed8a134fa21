using System.Diagnostics.CodeAnalysis;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Loading;

/// <summary>The kinds this library loads, each under the one version KServe serves it at.</summary>
internal static class KindRegistry
{
    private static readonly Dictionary<string, (string ApiVersion, Type Type)> Kinds = new(StringComparer.Ordinal)
    {
        [Api.Kinds.InferenceService] = (ApiGroup.V1Beta1, typeof(InferenceService)),
        [Api.Kinds.InferenceGraph] = (ApiGroup.V1Alpha1, typeof(InferenceGraph)),
        [Api.Kinds.ServingRuntime] = (ApiGroup.V1Alpha1, typeof(ServingRuntime)),
        [Api.Kinds.ClusterServingRuntime] = (ApiGroup.V1Alpha1, typeof(ClusterServingRuntime)),
    };

    public static bool TryGet(string apiVersion, string kind, [NotNullWhen(true)] out Type? type, [NotNullWhen(false)] out string? problem)
    {
        if (Kinds.TryGetValue(kind, out var known) && known.ApiVersion == apiVersion)
        {
            type = known.Type;
            problem = null;
            return true;
        }

        type = null;
        // kubectl's wording, plus the version that would work when the kind is one of ours.
        problem = $"no matches for kind \"{kind}\" in version \"{apiVersion}\"";
        if (known.Type is not null)
        {
            problem += $" (use apiVersion {known.ApiVersion})";
        }

        return false;
    }
}
