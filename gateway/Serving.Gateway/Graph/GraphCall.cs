using Microsoft.Extensions.Primitives;

namespace Serving.Gateway.Graph;

/// <summary>One request through a graph: the compiled graph and the incoming headers its steps receive.</summary>
internal sealed record GraphCall(CompiledGraph Graph, IReadOnlyList<KeyValuePair<string, StringValues>> Headers)
{
    /// <summary>What the graph's caller presented, taken before the gateway removed it: steps on protected services are checked with it.</summary>
    public Auth.Credentials Credentials { get; init; }

    private volatile bool _coldStart;

    /// <summary>True once a step had to wait for a replica to start (the graph's response then says <c>X-Cold-Start: true</c>).</summary>
    public bool ColdStart => _coldStart;

    public void MarkColdStart() => _coldStart = true;
}
