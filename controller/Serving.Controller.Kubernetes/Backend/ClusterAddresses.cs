using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Kubernetes.Objects;
using Serving.Kubernetes.Client;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// The cluster-local names of InferenceServices and InferenceGraphs: each one's ExternalName Service <c>{name}</c>
/// (<see cref="AddressServiceBuilder"/>). The first to create the name keeps it; a Service the owner did not make is
/// never overwritten, only reported.
/// </summary>
internal sealed class ClusterAddresses(KubeApi api, ClusterCache cache, ObjectSettings settings)
{
    /// <summary>
    /// Why the Service <c>{name}</c> is not this object's, or null when it is, or is not there yet. The cache holds only
    /// the controller's own Services: one it lacks is read, in case a user's is there.
    /// </summary>
    public async Task<string?> TakenAsync(IKubeObject owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        string ns = owner.Metadata.NamespaceOrDefault();
        string name = owner.Metadata.Name ?? "";
        var existing = cache.Services.Get(ns, name) ?? await api.GetAsync(Resources.Services.ObjectPath(ns, name), cancellationToken);
        if (existing is null || AddressServiceBuilder.OwnedBy(existing, owner))
        {
            return null;
        }

        var holderRef = existing["metadata"]?["ownerReferences"]?.AsArray().FirstOrDefault();
        string holder = holderRef?["kind"]?.GetValue<string>() is { } kind
            ? $"{kind} {holderRef["name"]?.GetValue<string>()}'s" : "not this " + owner.Kind + "'s";
        return $"Service {ns}/{name} exists and is {holder}: the controller leaves it alone, so "
            + $"{name}.{ns}.{ObjectSettings.ClusterLocalDomain} does not reach the gateway for this {owner.Kind} (delete or rename that Service)";
    }

    /// <summary>
    /// The ExternalName Service <c>{name}</c> exists, as wanted. A missing one is created (not applied), and a conflict
    /// there is left for the next <see cref="TakenAsync"/> to report.
    /// </summary>
    public async Task EnsureAsync(IKubeObject owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var wanted = AddressServiceBuilder.Make(owner, settings);
        var actual = cache.Services.Get(owner.Metadata.NamespaceOrDefault(), owner.Metadata.Name ?? "");
        if (actual is null)
        {
            try
            {
                await api.CreateAsync(Resources.Services, owner.Metadata.NamespaceOrDefault(), wanted, cancellationToken);
            }
            catch (KubeApiException e) when (e.StatusCode == 409)
            {
                // There already: ours, not yet in the cache, or someone else's (reported by the next TakenAsync).
            }
        }
        else if (AddressServiceBuilder.OwnedBy(actual, owner) && !JsonSubset.Contains(actual, wanted))
        {
            await api.ApplyAsync(Resources.Services, wanted, cancellationToken);
        }
    }

    /// <summary>The owner's name if <paramref name="service"/> is an address Service (named after what its label names).</summary>
    public static string? AddressOf(JsonObject service) =>
        ClusterCache.Name(service) is var name
        && (ClusterCache.Label(service, RevisionLabels.InferenceService) == name || ClusterCache.Label(service, AddressServiceBuilder.InferenceGraphLabel) == name)
            ? name
            : null;
}
