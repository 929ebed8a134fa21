using Microsoft.Extensions.Primitives;

namespace Serving.Gateway.Graph;

/// <summary>One request through a graph: the compiled graph and the incoming headers its steps receive.</summary>
internal sealed record GraphCall(CompiledGraph Graph, IReadOnlyList<KeyValuePair<string, StringValues>> Headers);
