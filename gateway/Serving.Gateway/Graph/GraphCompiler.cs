using System.Collections.Frozen;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Validation;
using Serving.Gateway.Graph.Conditions;
using Serving.Gateway.Model;

namespace Serving.Gateway.Graph;

/// <summary>
/// Turns an InferenceGraph into a <see cref="CompiledGraph"/>, or the list of what is wrong with it. Unknown fields and
/// KServe's admission checks come first (<see cref="InferenceGraphValidator"/>, KServe's messages); then what KServe leaves to fail at
/// request time: <c>nodeName</c> targets that do not exist, cycles, conditions outside the GJSON subset, conditions
/// that can never be evaluated, URLs that are not http(s), timeouts that are not positive.
/// </summary>
internal static class GraphCompiler
{
    public static (CompiledGraph? Graph, IReadOnlyList<string> Errors) Compile(InferenceGraph graph)
    {
        var errors = UnknownFields.Find(graph).Concat(InferenceGraphValidator.Validate(graph)).ToList();
        var nodes = graph.Spec.Nodes ?? new Dictionary<string, InferenceRouter>();
        var key = new ServiceKey(graph.Metadata.NamespaceOrDefault(), graph.Metadata.Name ?? "");
        var compiled = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        foreach (var (name, router) in nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            var steps = new List<GraphStep>();
            var list = router.Steps ?? [];
            for (int i = 0; i < list.Count; i++)
            {
                if (CompileStep(key, name, router, i, list[i], nodes, errors) is { } step)
                {
                    steps.Add(step);
                }
            }

            if (list.Count == 0)
            {
                errors.Add($"spec.nodes.{name}.steps: a node needs at least one step");
            }

            if (Enum.TryParse<RouterKind>(router.RouterType, out var kind) && RouterTypes.All.Contains(router.RouterType))
            {
                compiled[name] = new GraphNode(name, kind, steps);
            }
        }

        errors.AddRange(Cycles(nodes));
        TimeSpan? timeout = null;
        if (graph.Spec.RouterTimeouts?.ServiceClient is { } seconds)
        {
            if (seconds <= 0)
            {
                errors.Add($"spec.routerTimeouts.serviceClient: must be a positive number of seconds, not {seconds}");
            }
            else
            {
                timeout = TimeSpan.FromSeconds(seconds);
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new CompiledGraph(key, compiled.ToFrozenDictionary(StringComparer.Ordinal), timeout), errors);
    }

    private static GraphStep? CompileStep(
        ServiceKey graph, string node, InferenceRouter router, int index, InferenceStep step, IReadOnlyDictionary<string, InferenceRouter> nodes, List<string> errors)
    {
        string path = $"spec.nodes.{node}.steps[{index}]";
        int before = errors.Count;
        StepTarget? target = null;
        if (!string.IsNullOrEmpty(step.NodeName))
        {
            target = new NodeTarget(step.NodeName);
            if (!nodes.ContainsKey(step.NodeName))
            {
                errors.Add($"{path}.nodeName: node '{step.NodeName}' does not exist in the graph (nodes: {string.Join(", ", nodes.Keys.Order(StringComparer.Ordinal))})");
            }
        }
        else if (!string.IsNullOrEmpty(step.ServiceName))
        {
            target = new ServiceTarget(new ServiceKey(graph.Namespace, step.ServiceName));
        }
        else if (!string.IsNullOrEmpty(step.ServiceUrl))
        {
            if (Uri.TryCreate(step.ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            {
                target = new UrlTarget(url);
            }
            else
            {
                errors.Add($"{path}.serviceUrl: '{step.ServiceUrl}' is not an absolute http(s) URL");
            }
        }

        GjsonPath? condition = null;
        if (!string.IsNullOrEmpty(step.Condition))
        {
            try
            {
                condition = GjsonPath.Parse(step.Condition);
            }
            catch (GjsonSyntaxException e)
            {
                errors.Add($"{path}.condition: {e.Message}");
            }

            if (router.RouterType == RouterTypes.Sequence && index == 0)
            {
                errors.Add($"{path}.condition: the first step of a Sequence has no previous response to test (KServe's router fails every request with 'invalid response')");
            }
        }
        else if (router.RouterType == RouterTypes.Switch)
        {
            errors.Add($"{path}.condition: a Switch step needs a condition (KServe's router never picks a step without one)");
        }

        if (router.RouterType == RouterTypes.Splitter && step.Weight is < 0 or > 100)
        {
            errors.Add($"{path}.weight: must be from 0 to 100, not {step.Weight}");
        }

        if (errors.Count > before || target is null)
        {
            return null; // the validator has already named a missing or double target
        }

        return new GraphStep(
            index,
            string.IsNullOrEmpty(step.Name) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : step.Name,
            target,
            step.Data == "$response",
            step.MapPredictionsToInstances == true,
            (int)(step.Weight ?? 0),
            condition,
            step.Dependency == StepDependencies.Hard);
    }

    /// <summary>Every cycle through <c>nodeName</c> steps, each reported once, as <c>a -> b -> a</c>.</summary>
    private static IEnumerable<string> Cycles(IReadOnlyDictionary<string, InferenceRouter> nodes)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();
        var stack = new List<string>();

        void Visit(string node)
        {
            int at = stack.IndexOf(node);
            if (at >= 0)
            {
                var cycle = stack[at..];
                string canonical = string.Join(",", cycle.Order(StringComparer.Ordinal));
                if (reported.Add(canonical))
                {
                    errors.Add($"spec.nodes: the graph has a cycle, {string.Join(" -> ", cycle.Append(node))}: a request would never finish");
                }

                return;
            }

            if (!done.Add(node) || !nodes.TryGetValue(node, out var router))
            {
                return;
            }

            stack.Add(node);
            foreach (var step in router.Steps ?? [])
            {
                if (!string.IsNullOrEmpty(step.NodeName))
                {
                    Visit(step.NodeName);
                }
            }

            stack.RemoveAt(stack.Count - 1);
        }

        foreach (string node in nodes.Keys.Order(StringComparer.Ordinal))
        {
            Visit(node);
        }

        return errors;
    }
}
