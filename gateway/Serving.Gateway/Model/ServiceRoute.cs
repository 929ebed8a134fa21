namespace Serving.Gateway.Model;

/// <summary>
/// What the gateway needs to know about one InferenceService: its components, each with the traffic split over
/// its revisions and their endpoints. The controller (local or Kubernetes) builds these; the gateway only reads them.
/// </summary>
public sealed record ServiceRoute(string Namespace, string Name, IReadOnlyDictionary<Component, ComponentRoute> Components)
{
    public ServiceKey Key => new(Namespace, Name);

    /// <summary>
    /// <c>v1</c> (when absent) or <c>v2</c>: the protocol of the service's entry component, which decides the path an
    /// InferenceGraph step calls (<c>/v1/models/{isvc}:predict</c> or <c>/v2/models/{isvc}/infer</c>), as KServe's controller does.
    /// </summary>
    public string? ProtocolVersion { get; init; }

    /// <summary>
    /// Why the service exists but cannot serve (its spec was refused, no runtime serves its model, its first revision
    /// fails to start): every request for it is answered 503 with this reason, not 404. Null when it can serve.
    /// </summary>
    public ServiceProblem? Problem { get; init; }

    /// <summary>What callers must present (read from its annotations); null when it is open.</summary>
    public Auth.AuthPolicy? Auth { get; init; }
}

/// <summary>Why an existing InferenceService cannot serve: the reason and message of its <c>Ready</c> condition.</summary>
public sealed record ServiceProblem(string Reason, string Message);

public readonly record struct ServiceKey(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

public enum Component
{
    Predictor,
    Transformer,
    Explainer,
}

/// <summary>
/// A component's traffic (Knative-style: percent per revision, optional tag) and the revisions it can reach.
/// Percentages add up to 100; a tag gives the revision a host of its own: <c>{tag}-{isvc}-{component}.{ns}.{domain}</c>.
/// </summary>
public sealed record ComponentRoute(IReadOnlyList<TrafficTarget> Traffic, IReadOnlyList<RevisionRoute> Revisions);

public sealed record TrafficTarget(string Revision, int Percent, string? Tag = null);

/// <summary>A revision with its replicas. <paramref name="ContainerConcurrency"/> 0 means no per-replica limit.</summary>
public sealed record RevisionRoute(string Name, int ContainerConcurrency, IReadOnlyList<EndpointRoute> Endpoints);

/// <summary>One replica: an HTTP base address such as <c>http://10.1.2.3:8080</c>, and whether it is ready.</summary>
public sealed record EndpointRoute(string Address, bool Ready);
