namespace Serving.LoadTests.ColdStart;

/// <summary>The rows of the report: each a phase of <see cref="ColdStartSample"/>, in the order a cold start passes them.</summary>
internal static class ColdStartPhases
{
    public static IReadOnlyList<(string Name, string What, Func<ColdStartSample, TimeSpan> Of)> All { get; } =
    [
        ("request → activated", "gateway holds the request, signals; the platform's loop takes the signal", s => s.ToActivated),
        ("activated → spawned", "scale decision, Process.Start of serving-runtime", s => s.ActivatedToSpawned),
        ("spawned → listening", "process start: .NET host, runtime, ASP.NET host build, Kestrel bound (\"Now listening on:\" seen)", s => s.SpawnedToListening),
        ("spawned → model loaded", "(overlaps the row above) ONNX Runtime session for the model (\"loaded from\" line seen)", s => s.SpawnedToLoaded),
        ("listening → ready", "readiness detection: probe every 5 ms until /v2/health/ready answers 200", s => s.ListeningToReady),
        ("ready → routed", "the platform's loop: runner changed → reconcile → route handed to ServiceCatalog.Set", s => s.ReadyToRouted),
        ("routed → forwarded", "activator release: routing snapshot rebuilt, the held request gets its slot and resumes", s => s.RoutedToForwarded),
        ("**ready → forwarded**", "target ≤ 5 ms", s => s.ReadyToForwarded),
        ("forwarded → response", "first proxied request: new connection to the replica, first inference, response", s => s.ForwardedToResponse),
        ("**total (client)**", "target ≤ 1000 ms", s => s.Total),
        ("warm, direct to replica", "median of the warm requests right after: inference alone", s => s.WarmDirect),
        ("warm, through gateway", "median of the warm requests right after", s => s.WarmGateway),
    ];
}
