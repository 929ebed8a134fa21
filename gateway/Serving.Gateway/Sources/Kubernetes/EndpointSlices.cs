using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Kubernetes.Client;

namespace Serving.Gateway.Sources.Kubernetes;

/// <summary>One EndpointSlice of a revision's Service, as routing needs it: the revision, its ready replicas, its limit and protocol.</summary>
/// <param name="Revision">The Service's name (<c>kubernetes.io/service-name</c>), which is the revision's.</param>
internal sealed record RevisionSlice(string Namespace, string Revision, IReadOnlyList<string> Ready, int ContainerConcurrency, string? ProtocolVersion);

/// <summary>
/// Reads a revision's ready endpoints from EndpointSlices, the only place Kubernetes publishes them that works for every
/// cluster: core/v1 Endpoints refuse some addresses (loopback pod IPs, as on the test cluster), and Pods would need a
/// wider RBAC. <c>discovery.k8s.io/v1</c> (1.21+) and <c>v1beta1</c> (1.17-1.24) have the same fields here (addresses,
/// <c>conditions.ready</c>, ports). The revision's per-replica limit and protocol are labels the controller puts on the
/// Service (<see cref="RevisionLabels.ContainerConcurrency"/>), which the EndpointSlice controller copies onto its slices.
/// </summary>
internal static class EndpointSlices
{
    /// <summary>The label the EndpointSlice controller sets to the name of the Service a slice belongs to.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The port of a revision's Service (<c>ServiceBuilder</c> names it so).</summary>
    public const string PortName = "http";

    /// <summary>Only the slices of the controller's Services: they carry the Service's labels.</summary>
    public const string Selector = RevisionLabels.ManagedBy + "=" + RevisionLabels.Manager;

    /// <summary>The EndpointSlice version to watch: v1 where it is served, else v1beta1 (Kubernetes 1.20), by API discovery.</summary>
    /// <exception cref="InvalidOperationException">The server serves neither (Kubernetes before 1.17).</exception>
    public static async Task<ResourceType> ChooseAsync(Func<ResourceType, CancellationToken, Task<bool>> serves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serves);
        foreach (var type in new[] { Resources.EndpointSlicesV1, Resources.EndpointSlicesV1Beta1 })
        {
            if (await serves(type, cancellationToken))
            {
                return type;
            }
        }

        throw new InvalidOperationException(
            "the API server serves no EndpointSlices (discovery.k8s.io/v1 or v1beta1): the gateway needs Kubernetes 1.17 or later");
    }

    /// <summary>The slice as routing needs it; null when it belongs to no Service.</summary>
    public static RevisionSlice? Read(JsonObject slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var metadata = slice["metadata"];
        if (Text(metadata?["labels"]?[ServiceNameLabel]) is not { Length: > 0 } revision)
        {
            return null;
        }

        string @namespace = Text(metadata?["namespace"]) ?? "default";
        int containerConcurrency = int.TryParse(
            Text(metadata?["labels"]?[RevisionLabels.ContainerConcurrency]), NumberStyles.None, CultureInfo.InvariantCulture, out int limit) ? limit : 0;
        string? protocol = Text(metadata?["labels"]?[RevisionLabels.ProtocolVersion]);
        var ready = new List<string>();
        if (PortOf(slice) is { } port)
        {
            bool fqdn = Text(slice["addressType"]) == "FQDN";
            foreach (var endpoint in slice["endpoints"] as JsonArray ?? [])
            {
                // Absent means unknown, which consumers treat as ready (the API's documentation); a terminating pod is never ready.
                bool isReady = endpoint?["conditions"]?["ready"] is not JsonValue value || !value.TryGetValue(out bool flag) || flag;
                if (isReady && Text(endpoint?["addresses"]?[0]) is { Length: > 0 } address)
                {
                    ready.Add($"http://{Host(address, fqdn)}:{port.ToString(CultureInfo.InvariantCulture)}");
                }
            }
        }

        return new RevisionSlice(@namespace, revision, ready, containerConcurrency, protocol);
    }

    /// <summary>
    /// What each revision offers, from all the slices (a Service may have several): the ready addresses of all of them,
    /// once each, in a stable order.
    /// </summary>
    public static IReadOnlyDictionary<(string Namespace, string Revision), RevisionEndpoints> ByRevision(IEnumerable<RevisionSlice> slices) =>
        slices.GroupBy(s => (s.Namespace, s.Revision)).ToDictionary(
            g => g.Key,
            g => new RevisionEndpoints(
                [.. g.SelectMany(s => s.Ready).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                g.Max(s => s.ContainerConcurrency),
                g.Select(s => s.ProtocolVersion).FirstOrDefault(p => p is not null)));

    /// <summary>The port named <see cref="PortName"/>, else the only one; null while the slice has none (no endpoints yet).</summary>
    private static int? PortOf(JsonObject slice)
    {
        var ports = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var port = ports.FirstOrDefault(p => Text(p["name"]) == PortName) ?? (ports.Count == 1 ? ports[0] : null);
        return port?["port"] is JsonValue number && number.TryGetValue(out int value) && value is > 0 and <= 65535 ? value : null;
    }

    private static string Host(string address, bool fqdn) =>
        !fqdn && IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
