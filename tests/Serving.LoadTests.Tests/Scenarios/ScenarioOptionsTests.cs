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

    [Theory]
    [InlineData(new[] { "bursts" }, "scenario: unknown scenario 'bursts' (one of steady, burst,")]
    [InlineData(new[] { "burst", "--kubernetes" }, "--kubernetes: the cluster mode has not landed yet")]
    [InlineData(new[] { "burst", "--rate", "5" }, "unknown option --rate")]
    [InlineData(new[] { "--output-dir", "x" }, "scenario: name a scenario or 'all'")]
    public void Bad_command_lines_are_refused_with_what_is_wrong(string[] args, string message)
    {
        var error = Assert.Throws<UsageException>(() => ScenarioOptions.Parse(args));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
