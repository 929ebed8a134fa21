using Serving.LoadTests.Cli;
using Serving.LoadTests.Scenarios;

namespace Serving.LoadTests.Tests.Scenarios;

public sealed class ScenarioOptionsTests
{
    [Fact]
    public void All_runs_every_scenario_of_the_issue()
    {
        var options = ScenarioOptions.Parse(["all"]);

        Assert.Equal(
            ["steady", "burst", "canary", "mode-switch", "step", "overload", "graph", "kill-replica", "redis-outage", "platform-restart"],
            options.Scenarios.Select(s => s.Name));
    }

    [Fact]
    public void Kubernetes_runs_burst_on_the_cluster_with_its_reports_apart_from_the_local_ones()
    {
        var options = ScenarioOptions.Parse(["burst", "--kubernetes"]);

        Assert.True(options.Kubernetes);
        Assert.Equal(["burst"], options.Scenarios.Select(s => s.Name));
        Assert.Equal(Path.Combine("loadtests/reports", "kubernetes"), options.OutputDir);
        Assert.Equal("loadtests/reports", ScenarioOptions.Parse(["burst"]).OutputDir);
    }

    [Fact]
    public void All_with_kubernetes_runs_the_scenarios_that_take_it_and_a_refusal_names_them()
    {
        var all = ScenarioOptions.Parse(["all", "--kubernetes"]);
        var error = Assert.Throws<UsageException>(() => ScenarioOptions.Parse(["platform-restart", "--kubernetes"]));

        Assert.Equal(["steady", "burst", "canary", "mode-switch", "step", "overload", "graph", "kill-replica"], all.Scenarios.Select(s => s.Name));
        Assert.EndsWith($"the scenarios that take --kubernetes: {string.Join(", ", all.Scenarios.Select(s => s.Name))}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("canary")]
    [InlineData("mode-switch")]
    [InlineData("graph")]
    [InlineData("steady")]
    [InlineData("step")]
    [InlineData("kill-replica")]
    [InlineData("overload")]
    public void Scenarios_ported_to_the_cluster_parse_with_kubernetes_and_without_it(string name)
    {
        var cluster = ScenarioOptions.Parse([name, "--kubernetes"]);
        var local = ScenarioOptions.Parse([name]);

        Assert.Equal([name], cluster.Scenarios.Select(s => s.Name));
        Assert.True(cluster.Kubernetes);
        Assert.False(local.Kubernetes);
        Assert.Equal("loadtests/reports", local.OutputDir);
    }

    [Theory]
    [InlineData(new[] { "bursts" }, "scenario: unknown scenario 'bursts' (one of steady, burst,")]
    [InlineData(new[] { "platform-restart", "--kubernetes" }, "--kubernetes: platform-restart runs on the one-machine platform only")]
    [InlineData(new[] { "redis-outage", "--kubernetes" }, "--kubernetes: redis-outage runs on the one-machine platform only")]
    [InlineData(new[] { "burst", "--rate", "5" }, "unknown option --rate")]
    [InlineData(new[] { "--output-dir", "x" }, "scenario: name a scenario or 'all'")]
    public void Bad_command_lines_are_refused_with_what_is_wrong(string[] args, string message)
    {
        var error = Assert.Throws<UsageException>(() => ScenarioOptions.Parse(args));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
