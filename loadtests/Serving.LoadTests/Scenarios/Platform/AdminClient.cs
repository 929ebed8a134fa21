using System.Text.Json.Nodes;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>The platform's admin port as a scenario reads it: <c>/routes</c> (ready replicas, held requests) and <c>/status</c>.</summary>
internal sealed class AdminClient(Uri address)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    public Uri Address { get; } = address;

    /// <summary>What the gateway routes now; null when the admin port does not answer (the platform is down).</summary>
    public async Task<RoutesView?> RoutesAsync(CancellationToken cancellationToken)
    {
        var json = await GetAsync("/routes", cancellationToken);
        return json is null ? null : RoutesView.From(json);
    }

    /// <summary>One InferenceService's KServe-shaped object; null when it does not exist or the platform is down.</summary>
    public async Task<ServiceStatus?> StatusAsync(string name, CancellationToken cancellationToken) =>
        await GetAsync($"/status/default/{name}", cancellationToken) is { } json ? new ServiceStatus(json) : null;

    public async Task<string?> MetricsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Http.GetStringAsync(new Uri(Address, "/metrics"), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(Address, path), cancellationToken);
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>Per revision: ready replicas, requests in flight, requests held by the activator; plus the gateway's total held.</summary>
internal sealed record RoutesView(IReadOnlyDictionary<string, RevisionView> Revisions, int Held)
{
    public static RoutesView From(JsonNode json)
    {
        var revisions = new Dictionary<string, RevisionView>(StringComparer.Ordinal);
        foreach (var service in json["services"]?.AsArray() ?? [])
        {
            foreach (var (_, component) in service?["components"]?.AsObject() ?? [])
            {
                foreach (var revision in component?.AsArray() ?? [])
                {
                    string name = (string?)revision?["revision"] ?? "";
                    var replicas = revision?["replicas"]?.AsArray() ?? [];
                    revisions[name] = new RevisionView(
                        name,
                        replicas.Count(r => (bool?)r?["ready"] == true),
                        [.. replicas.Where(r => (bool?)r?["ready"] == true).Select(r => (string?)r?["address"] ?? "")],
                        (int?)revision?["concurrency"] ?? 0,
                        (int?)revision?["held"] ?? 0);
                }
            }
        }

        return new RoutesView(revisions, (int?)json["held"] ?? 0);
    }

    public int ReadyOf(string service) => Revisions.Values.Where(r => r.Name.StartsWith(service + "-", StringComparison.Ordinal)).Sum(r => r.Ready);
}

internal sealed record RevisionView(string Name, int Ready, IReadOnlyList<string> Addresses, int Concurrency, int Held);

/// <summary>The parts of an InferenceService's status a scenario waits on: readiness, revisions, traffic, replicas.</summary>
internal sealed class ServiceStatus(JsonNode json)
{
    private JsonNode? Predictor => json["status"]?["components"]?["predictor"];

    public bool Ready => json["status"]?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;

    public string? LatestReadyRevision => (string?)Predictor?["latestReadyRevision"];

    public string? LatestCreatedRevision => (string?)Predictor?["latestCreatedRevision"];

    public string? DeploymentMode => (string?)json["status"]?["deploymentMode"];

    public int Replicas => (int?)Predictor?["replicas"] ?? 0;

    /// <summary>Revision → percent of traffic, as the status says.</summary>
    public IReadOnlyDictionary<string, int> Traffic =>
        (Predictor?["traffic"]?.AsArray() ?? []).Where(t => t?["revisionName"] is not null)
            .GroupBy(t => (string)t!["revisionName"]!)
            .ToDictionary(g => g.Key, g => g.Sum(t => (int?)t!["percent"] ?? 0), StringComparer.Ordinal);

    public string Describe() => $"ready {Ready}, mode {DeploymentMode}, traffic {string.Join(", ", Traffic.Select(t => $"{t.Key} {t.Value}%"))}";
}
