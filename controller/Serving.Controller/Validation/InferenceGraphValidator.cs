using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Validation;

/// <summary>
/// KServe's InferenceGraph admission (<c>inference_graph_validation.go</c>, kserve-api.md §4.2) after the CRD schema
/// checks. KServe walks nodes in Go map order and stops at the first error; here nodes are visited by name and every
/// error is returned. Like KServe, <c>nodeName</c> targets, cycles and conditions are not checked here.
/// </summary>
public static class InferenceGraphValidator
{
    public static IReadOnlyList<string> Validate(InferenceGraph graph)
    {
        var errors = new List<string>();
        string graphName = graph.Metadata.Name ?? "";
        var nodes = (graph.Spec.Nodes ?? new Dictionary<string, InferenceRouter>())
            .OrderBy(n => n.Key, StringComparer.Ordinal)
            .ToList();

        // CRD schema.
        if (graph.Spec.Nodes is null)
        {
            errors.Add(Messages.Required("spec.nodes"));
        }

        foreach (var (nodeName, node) in nodes)
        {
            string path = $"spec.nodes.{nodeName}";
            if (string.IsNullOrEmpty(node.RouterType))
            {
                errors.Add(Messages.Required($"{path}.routerType"));
            }
            else if (!RouterTypes.All.Contains(node.RouterType))
            {
                errors.Add(Messages.Unsupported($"{path}.routerType", node.RouterType, RouterTypes.All));
            }

            var steps = node.Steps ?? [];
            for (int i = 0; i < steps.Count; i++)
            {
                if (steps[i].Dependency is { Length: > 0 } dependency && !StepDependencies.All.Contains(dependency))
                {
                    errors.Add(Messages.Unsupported($"{path}.steps[{i}].dependency", dependency, StepDependencies.All));
                }
            }
        }

        if (graph.Spec.ScaleMetric is { } metric && !ScaleMetrics.All.Contains(metric))
        {
            errors.Add(Messages.Unsupported("spec.scaleMetric", metric, ScaleMetrics.All));
        }

        // Webhook, in KServe's order.
        if (!InferenceServiceValidator.NamePattern().IsMatch(graphName))
        {
            errors.Add(Messages.InvalidGraphName(graphName));
        }

        if (graph.Spec.Nodes is not null && !graph.Spec.Nodes.ContainsKey(InferenceGraph.RootNodeName))
        {
            errors.Add(Messages.RootNodeNotFound);
        }

        foreach (var (nodeName, node) in nodes)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var step in node.Steps ?? [])
            {
                if (!string.IsNullOrEmpty(step.Name) && !seen.Add(step.Name))
                {
                    errors.Add(Messages.DuplicateStep(nodeName, graphName, step.Name));
                }
            }
        }

        foreach (var (nodeName, node) in nodes)
        {
            var steps = node.Steps ?? [];
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                int targets = new[] { step.NodeName, step.ServiceName, step.ServiceUrl }.Count(t => !string.IsNullOrEmpty(t));
                if (targets == 0)
                {
                    errors.Add(Messages.TargetNotProvided(i, step.Name ?? "", nodeName, graphName));
                }
                else if (targets > 1)
                {
                    errors.Add(Messages.InvalidTarget(i, step.Name ?? "", nodeName, graphName));
                }
            }
        }

        foreach (var (nodeName, node) in nodes.Where(n => n.Value.RouterType == RouterTypes.Splitter))
        {
            var steps = node.Steps ?? [];
            // KServe names the step by serviceName, even when it targets a node or a URL.
            var missing = steps.Where(s => s.Weight is null).ToList();
            errors.AddRange(missing.Select(s => Messages.WeightNotProvided(graphName, nodeName, s.ServiceName ?? "")));
            if (missing.Count == 0 && steps.Sum(s => s.Weight!.Value) != 100)
            {
                errors.Add(Messages.InvalidWeight(graphName, nodeName));
            }
        }

        return errors;
    }
}
