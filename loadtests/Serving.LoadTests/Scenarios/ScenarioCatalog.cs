using Serving.LoadTests.Scenarios.Cases;

namespace Serving.LoadTests.Scenarios;

/// <summary>Every scenario, in the order <c>all</c> runs them.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new SteadyScenario(),
        new BurstScenario(),
        new CanaryScenario(),
        new ModeSwitchScenario(),
        new StepScenario(),
        new OverloadScenario(),
        new GraphScenario(),
        new KillReplicaScenario(),
        new RedisOutageScenario(),
        new PlatformRestartScenario(),
    ];
}
