namespace Serving.LoadTests.Scenarios;

/// <summary>One scenario of <c>loadtests/run.sh</c>: drives the platform under load and fills its <see cref="ScenarioRun"/>.</summary>
internal interface IScenario
{
    /// <summary>The command-line name and the report's file name.</summary>
    string Name { get; }

    /// <summary>One line: what it does and what it checks.</summary>
    string Title { get; }

    /// <summary>The longest it may take, for the usage text.</summary>
    string Duration { get; }

    /// <summary>
    /// Whether it takes <c>--kubernetes</c>: it drives the platform only through manifests, the gateway and its admin
    /// port (and runtime processes found by their command line, a pod's on the cluster), not through serving-local's
    /// process tree, its folders or its Redis.
    /// </summary>
    bool RunsOnKubernetes => false;

    Task RunAsync(ScenarioRun run, CancellationToken cancellationToken);
}
