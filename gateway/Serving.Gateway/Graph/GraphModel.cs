using Serving.Gateway.Graph.Conditions;
using Serving.Gateway.Model;

namespace Serving.Gateway.Graph;

internal enum RouterKind
{
    Sequence,
    Splitter,
    Ensemble,
    Switch,
}

/// <summary>What a step calls: another node of the graph, an InferenceService in the graph's namespace, or a URL.</summary>
internal abstract record StepTarget;

internal sealed record NodeTarget(string Node) : StepTarget
{
    public override string ToString() => $"node '{Node}'";
}

internal sealed record ServiceTarget(ServiceKey Service) : StepTarget
{
    public override string ToString() => $"InferenceService {Service}";
}

internal sealed record UrlTarget(Uri Url) : StepTarget
{
    public override string ToString() => Url.ToString();
}

/// <summary>
/// A compiled step. <paramref name="Key"/> is its name, or its index when it has none (Ensemble keys and messages).
/// <paramref name="Condition"/> is null when the step has none.
/// </summary>
internal sealed record GraphStep(
    int Index,
    string Key,
    StepTarget Target,
    bool DataIsResponse,
    bool MapPredictionsToInstances,
    int Weight,
    GjsonPath? Condition,
    bool Hard);

internal sealed record GraphNode(string Name, RouterKind Kind, IReadOnlyList<GraphStep> Steps);

/// <summary>
/// A validated graph ready to run: nodes by name (root included), every <c>nodeName</c> resolvable, no cycles,
/// conditions parsed. <paramref name="StepTimeout"/> comes from <c>spec.routerTimeouts.serviceClient</c>.
/// </summary>
internal sealed record CompiledGraph(ServiceKey Key, IReadOnlyDictionary<string, GraphNode> Nodes, TimeSpan? StepTimeout)
{
    public GraphNode Root => Nodes[Serving.Controller.Api.V1Alpha1.InferenceGraph.RootNodeName];

    /// <summary>Every InferenceService a step names, with where it is named.</summary>
    public IEnumerable<(ServiceKey Service, string Node, GraphStep Step)> ServiceSteps =>
        Nodes.Values.SelectMany(n => n.Steps.Where(s => s.Target is ServiceTarget).Select(s => (((ServiceTarget)s.Target).Service, n.Name, s)));
}
