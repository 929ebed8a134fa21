using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Loading;
using Serving.Controller.Validation;

namespace Serving.Controller.Tests.Validation;

public sealed class InferenceGraphValidatorTests
{
    [Fact]
    public void A_root_node_is_required()
    {
        Assert.Equal(
            ["root node not found, InferenceGraph needs a node with name 'root' as the root node of the graph"],
            Validate("{start: {routerType: Sequence, steps: [{serviceName: a}]}}"));
    }

    [Theory]
    [InlineData("[{serviceName: a, weight: 80}, {serviceName: b, weight: 20}]", null)]
    [InlineData("[{serviceName: a, weight: 100}]", null)]
    [InlineData("[{serviceName: a, weight: 80}, {serviceName: b, weight: 30}]", "InferenceGraph[g] Node[root] splitter node: the sum of traffic weights for all routing targets should be 100")]
    [InlineData("[{serviceName: a, weight: 80}, {serviceName: b}]", "InferenceGraph[g] Node[root] Route[b] missing the 'Weight'")]
    public void Splitter_weights_sum_to_100(string steps, string? error)
    {
        Assert.Equal(error is null ? [] : [error], Validate($"{{root: {{routerType: Splitter, steps: {steps}}}}}"));
    }

    [Fact]
    public void Each_step_has_exactly_one_target_and_a_unique_name()
    {
        Assert.Equal(
            [
                "Node \"root\" of InferenceGraph \"g\" contains more than one step with name \"x\"",
                "Step 1 (\"x\") in node \"root\" of InferenceGraph \"g\" does not specify an inference target",
                "Step 2 (\"\") in node \"root\" of InferenceGraph \"g\" specifies more than one of nodeName, serviceName, serviceUrl",
            ],
            Validate("{root: {routerType: Sequence, steps: [{name: x, serviceName: a}, {name: x}, {nodeName: n, serviceName: s}]}}"));
    }

    private static IReadOnlyList<string> Validate(string nodes)
    {
        var graph = Assert.Single(ManifestLoader.Load(
            $"apiVersion: serving.kserve.io/v1alpha1\nkind: InferenceGraph\nmetadata: {{name: g}}\nspec: {{nodes: {nodes}}}\n", "g.yaml").InferenceGraphs);
        return InferenceGraphValidator.Validate(graph);
    }
}
