using System.Runtime.InteropServices;
using Serving.LoadTests.ColdStart;
using Serving.LoadTests.Gateway;
using Serving.LoadTests.Graph;
using Serving.LoadTests.Runtime;
using Serving.LoadTests.Scenarios;
using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Cli;

/// <summary>Dispatches <c>serving-loadtests &lt;benchmark&gt; [options]</c>; one subcommand per system under load.</summary>
internal static class LoadTestCli
{
    public const string Usage = """
        usage: serving-loadtests <benchmark> [options]
        benchmarks:
          runtime    serving-runtime (V2 JSON and binary, batching on and off) against in-process ONNX Runtime
          gateway    serving-gateway against nginx and a Go reverse proxy: proxy CPU per request, added latency,
                     a runtime tuning sweep, routing snapshot rebuild and lookup with many InferenceServices
          graph      InferenceGraph overhead: a Sequence of two steps against the same two calls, an Ensemble of
                     three against its slowest step
          coldstart  the one-machine platform: first request at zero → response, phase by phase (iris)
          scenario   the one-machine platform under load: steady, burst, canary, mode-switch, step, overload, graph,
                     and drills (kill-replica, redis-outage, platform-restart); a report and a plot each (loadtests/run.sh)
        (runtime-knobs, used by 'gateway', prints the runtime settings in effect in its own process)
        'serving-loadtests <benchmark> --help' lists a benchmark's options.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        using var stop = new CancellationTokenSource();
        // Ctrl+C and SIGTERM cancel instead of ending the process, so that started servers are stopped in finally blocks.
        Action<PosixSignalContext> cancel = context =>
        {
            context.Cancel = true;
            stop.Cancel();
        };
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, cancel);

        try
        {
            return args[0] switch
            {
                "runtime" => await RunRuntimeAsync(args[1..], stop.Token),
                "gateway" => await RunGatewayAsync(args[1..], stop.Token),
                "graph" => await RunGraphAsync(args[1..], stop.Token),
                "coldstart" => await RunColdStartAsync(args[1..], stop.Token),
                "scenario" => await RunScenarioAsync(args[1..], stop.Token),
                "runtime-knobs" => await RuntimeKnobsProbe.RunAsync(stop.Token),
                _ => throw new UsageException($"unknown benchmark '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"serving-loadtests: {e.Message}");
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("serving-loadtests: cancelled");
            return 130;
        }
        catch (BenchmarkException e)
        {
            await Console.Error.WriteLineAsync($"serving-loadtests: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunRuntimeAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(RuntimeBenchOptions.Usage);
            return 0;
        }

        var options = RuntimeBenchOptions.Parse(args);
        var benchmark = new RuntimeBenchmark(options, new Progress());
        return await benchmark.RunAsync(cancellationToken);
    }

    private static async Task<int> RunGraphAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(GraphBenchOptions.Usage);
            return 0;
        }

        return await new GraphBenchmark(GraphBenchOptions.Parse(args), new Progress()).RunAsync(cancellationToken);
    }

    private static async Task<int> RunGatewayAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(GatewayBenchOptions.Usage);
            return 0;
        }

        var options = GatewayBenchOptions.Parse(args);
        return await new GatewayBenchmark(options, new Progress()).RunAsync(cancellationToken);
    }

    private static async Task<int> RunColdStartAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(ColdStartOptions.Usage);
            return 0;
        }

        return await new ColdStartBenchmark(ColdStartOptions.Parse(args), new Progress()).RunAsync(cancellationToken);
    }

    private static async Task<int> RunScenarioAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args is [] or ["--help"] or ["-h"])
        {
            Console.WriteLine(ScenarioOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }

        return await new ScenarioRunner(ScenarioOptions.Parse(args), new Progress()).RunAsync(cancellationToken);
    }
}
