using Serving.Gateway.Model;
using Serving.Gateway.Revisions;

namespace Serving.Gateway.Routing;

/// <summary>An InferenceService in a routing snapshot.</summary>
public sealed class ServiceEntry(ServiceKey key, ComponentEntry? predictor, ComponentEntry? transformer, ComponentEntry? explainer)
{
    public ServiceKey Key { get; } = key;

    public ComponentEntry? Predictor { get; } = predictor;

    public ComponentEntry? Transformer { get; } = transformer;

    public ComponentEntry? Explainer { get; } = explainer;

    /// <summary>See <see cref="ServiceRoute.ProtocolVersion"/>.</summary>
    public string? ProtocolVersion { get; init; }

    /// <summary>See <see cref="ServiceRoute.Problem"/>.</summary>
    public ServiceProblem? Problem { get; init; }

    /// <summary>See <see cref="ServiceRoute.Auth"/>.</summary>
    public Auth.AuthPolicy? Auth { get; init; }

    /// <summary>True when requests can be routed to it (possibly waiting for a replica in the activator).</summary>
    public bool CanServe => Problem is null && Predictor is not null;

    /// <summary>KServe's top-level routing: <c>:explain</c> to the explainer, the rest to the transformer if any, else the predictor.</summary>
    public ComponentEntry? Entry(bool explain) => (explain ? Explainer : null) ?? Transformer ?? Predictor;
}

/// <summary>A component's traffic split in a routing snapshot: cumulative percentages over revisions.</summary>
public sealed class ComponentEntry(Component component, (int UpTo, RevisionState Revision)[] split)
{
    public Component Component { get; } = component;

    /// <summary>Revision for a draw in [0, 100).</summary>
    public RevisionState? Pick(int draw)
    {
        foreach (var (upTo, revision) in split)
        {
            if (draw < upTo)
            {
                return revision;
            }
        }

        return null;
    }
}

/// <summary>What a host resolves to: a whole service, one component, or a revision pinned by a tag.</summary>
public readonly record struct HostRoute(ServiceEntry Service, ComponentEntry? Component, RevisionState? Pinned);
