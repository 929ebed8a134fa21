namespace Serving.LoadTests.ColdStart;

/// <summary>
/// One cold start as measured: the client's total and the platform's timeline as consecutive phases, plus warm
/// requests right after it (direct to the replica and through the gateway) to tell inference from start-up.
/// </summary>
internal sealed record ColdStartSample(
    string Variant,
    int Round,
    TimeSpan Total,
    TimeSpan ToActivated,
    TimeSpan ActivatedToSpawned,
    TimeSpan SpawnedToListening,
    TimeSpan SpawnedToLoaded,
    TimeSpan ListeningToReady,
    TimeSpan ReadyToRouted,
    TimeSpan RoutedToForwarded,
    TimeSpan ForwardedToResponse,
    TimeSpan WarmDirect,
    TimeSpan WarmGateway)
{
    /// <summary>Readiness seen to the held request on its way (the issue's ≤ 5 ms target).</summary>
    public TimeSpan ReadyToForwarded => ReadyToRouted + RoutedToForwarded;
}
