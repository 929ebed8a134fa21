using System.Globalization;
using Externalscaler;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;
using Serving.LoadTests.Server;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>
/// Redis stopped for 30 s under load, with two gateway processes publishing to it and the KEDA scaler reading it:
/// routing is unaffected, the scaler answers its last values, and everything recovers when Redis is back.
/// </summary>
internal sealed class RedisOutageScenario : IScenario
{
    private const double Rate = 100;
    private const int MaxStalenessSeconds = 60;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(65); // the KPA's 60 s stable window fills with steady load, past the start-up
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(25);

    public string Name => "redis-outage";

    public string Title => "Redis stopped for 30 s under load, two gateways and the KEDA scaler on it";

    public string Duration => "about 2 min";

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var build = run.Build;
        build.Require(build.Gateway, build.Scaler, build.RuntimeDll);
        BusyModel.Write(Path.Combine(run.Folders.Models, "busy"));
        int redisPort = FreePort.Next();
        string redisDir = Path.Combine(run.Folders.Root, "redis");
        Directory.CreateDirectory(redisDir);
        var redisSpec = new ProcessSpec("redis-server", "redis-server",
            ["--port", Text(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDir]);
        var redis = await StartAsync(run, redisSpec, ReadyProbe.Tcp(redisPort), cancellationToken);

        var replicas = new List<Uri>();
        for (int i = 0; i < 2; i++)
        {
            int port = FreePort.Next();
            var spec = new ProcessSpec("serving-runtime", "dotnet",
                [build.RuntimeDll, "--model-dir", Path.Combine(run.Folders.Models, "busy"), "--model-name", "busy", "--http-port", Text(port),
                 "--max-batch-size", "1", "--intra-op-threads", "1", "--log-level", "Warning"]);
            await StartAsync(run, spec, new ReadyProbe(new Uri($"http://127.0.0.1:{Text(port)}/v2/health/ready")), cancellationToken);
            replicas.Add(new Uri($"http://127.0.0.1:{Text(port)}"));
        }

        string routes = Path.Combine(run.Folders.Root, "routes.json");
        string endpoints = string.Join(", ", replicas.Select(r => $"{{\"address\": \"{r.ToString().TrimEnd('/')}\", \"ready\": true}}"));
        await File.WriteAllTextAsync(routes, $$$$"""
            [{"namespace": "default", "name": "busy", "components": {"predictor": {
               "traffic":   [{"revision": "busy-predictor-00001", "percent": 100}],
               "revisions": [{"name": "busy-predictor-00001", "containerConcurrency": 0, "endpoints": [{{{{endpoints}}}}]}]}}}]
            """, cancellationToken);
        var gateways = new List<Uri>();
        for (int i = 0; i < 2; i++)
        {
            int port = FreePort.Next();
            int admin = FreePort.Next();
            var spec = new ProcessSpec("serving-gateway", "dotnet",
                [build.Gateway, "--routes", routes, "--port", Text(port), "--admin-port", Text(admin), "--redis", $"127.0.0.1:{Text(redisPort)}", "--log-level", "Warning"]);
            await StartAsync(run, spec, new ReadyProbe(new Uri($"http://127.0.0.1:{Text(admin)}/healthz")), cancellationToken);
            gateways.Add(new Uri($"http://127.0.0.1:{Text(port)}"));
        }

        int scalerPort = FreePort.Next();
        await StartAsync(run, new ProcessSpec("serving-scaler", "dotnet",
            [build.Scaler, "--redis", $"127.0.0.1:{Text(redisPort)}", "--port", Text(scalerPort), "--max-staleness-s", Text(MaxStalenessSeconds), "--log-level", "Warning"]),
            ReadyProbe.Tcp(scalerPort), cancellationToken);
        run.Setup = $"redis-server (no persistence), two `serving-runtime` replicas of busy (a CPU-bound model), two `serving-gateway` processes routing to both "
            + $"(`--routes` file) and publishing their load to Redis (`--redis`), and `serving-scaler` reading it (`--max-staleness-s {MaxStalenessSeconds}`: it may answer "
            + "from its last values for that long; the default is 15 s, after which it answers UNAVAILABLE and KEDA keeps the replica count). An open loop of "
            + $"{Rate:0} V2 requests/s alternates between the two gateways. The scenario asks the scaler for the revision's metric as KEDA does (`GetMetrics`, "
            + $"`IsActive`) every 500 ms. After {Before.TotalSeconds:0} s Redis is stopped (SIGTERM) for {Outage.TotalSeconds:0} s, then started again on the same port.";

        var service = new Manifest("busy", "models/busy");
        var targets = gateways.Select(g => InferenceRequests.V2(g, service)).ToList();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Text(scalerPort)}");
        var scaler = new ExternalScaler.ExternalScalerClient(channel);
        var metric = run.AddSeries("scaler", "GetMetrics value (KPA concurrency)", "requests");
        var errors = run.AddSeries("scaler", "GetMetrics or IsActive failed (1 = error)", "requests");
        var active = run.AddSeries("scaler", "IsActive (1 = active)", "requests");
        using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = PollAsync(run, scaler, metric, errors, active, polling.Token);

        double start = run.Now;
        double stopped, restarted, publishing;
        await using (var load = BackgroundLoad.Start(run.Client, targets, _ => Rate, cancellationToken))
        {
            await Task.Delay(Before, cancellationToken);
            stopped = run.Now;
            await redis.DisposeAsync(); // SIGTERM, then SIGKILL if it lingers
            run.Mark("Redis stopped", "redis down");
            await Task.Delay(Outage, cancellationToken);
            redis = await StartAsync(run, redisSpec, ReadyProbe.Tcp(redisPort), cancellationToken);
            restarted = run.Now;
            run.Mark("Redis started again (same port, empty)", "redis up");
            publishing = await run.WaitUntilAsync(async () => await ReportingGatewaysAsync(redisPort, cancellationToken) == 2,
                TimeSpan.FromSeconds(20), "both gateways publishing to Redis again", cancellationToken);
            run.Mark($"both gateways' reports back in Redis after {publishing:0.0} s");
            await Task.Delay(After, cancellationToken);
            await load.StopAsync();
        }

        await polling.CancelAsync();
        await poller.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        double end = run.Now;
        run.AddPhase("before", start, stopped);
        run.AddPhase("Redis down", stopped, restarted, shade: true);
        run.AddPhase("after", restarted, end);

        var records = run.Log.Snapshot();
        var before = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, start, stopped));
        var during = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, stopped, restarted));
        var all = ScenarioStats.Summarize(records);
        var points = metric.Points;
        var failures = errors.Points.Where(p => p.V > 0).ToList();
        double lastBefore = points.LastOrDefault(p => p.T < stopped).V;
        var held = points.Where(p => p.T > stopped + 1 && p.T < restarted).ToList();
        var heldActive = active.Points.Where(p => p.T > stopped + 1 && p.T < restarted).ToList();
        // The scaler holds each revision's stable average and the age of its last arrival while the feed is down
        // (RevisionTable.Hold): every call is answered, never UNAVAILABLE (the 60 s staleness limit given); the value
        // stays near where it was (the panic window moves toward the stable one), and IsActive stays true while the
        // load goes on (KEDA would otherwise take the revision to zero).
        // "Near" is the range GetMetrics answered in the 20 s before the outage, ± 50 % (one value is noisy at a light load).
        var recent = points.Where(p => p.T >= stopped - 20 && p.T < stopped).Select(p => p.V).DefaultIfEmpty(lastBefore).ToList();
        double low = recent.Min() * 0.5, high = recent.Max() * 1.5;
        bool near(double v) => v >= low && v <= high;
        bool heldValues = held.Count > 0 && held.All(p => near(p.V)) && heldActive.Count > 0 && heldActive.All(p => p.V > 0)
            && !failures.Any(f => f.T > stopped && f.T < restarted);
        run.Findings.Add($"through the gateways: p99 before {ScenarioStats.Ms(before.P99Ms)} ms, while Redis was down {ScenarioStats.Ms(during.P99Ms)} ms; lost {all.Lost} of {all.Sent:#,0}.");
        run.Findings.Add($"the scaler: {lastBefore:0.###} before the outage; during it {(held.Count == 0 ? "no answer" : $"{held.Min(p => p.V):0.###}–{held.Max(p => p.V):0.###}")}, IsActive true in {heldActive.Count(p => p.V > 0)} of {heldActive.Count} answers; "
            + $"both gateways' reports back in Redis {publishing:0.0} s after it restarted; {failures.Count} failed GetMetrics call(s) in all.");
        run.Target("routing unaffected: lost 0 through both gateways", $"lost {all.Lost} of {all.Sent:#,0}; other answers: {all.Errors}", all.Lost == 0);
        run.Target("the scaler holds its last values while Redis is down: every call answered, GetMetrics within the range of the 20 s before (± 50 %), IsActive true",
            held.Count == 0 ? "no answer during the outage"
                : $"{held.Count} answers, {held.Min(p => p.V):0.###}–{held.Max(p => p.V):0.###} (the 20 s before: {recent.Min():0.###}–{recent.Max():0.###}), active in {heldActive.Count(p => p.V > 0)} of {heldActive.Count}, "
                    + $"{failures.Count(f => f.T > stopped && f.T < restarted)} failed",
            heldValues);
        run.Target("recovery: both gateways' reports back in Redis within 10 s", $"{publishing:0.0} s after Redis started", publishing <= 10);
    }

    private static async Task PollAsync(
        ScenarioRun run, ExternalScaler.ExternalScalerClient scaler, Series metric, Series errors, Series active, CancellationToken cancellationToken)
    {
        var target = new ScaledObjectRef { Name = "busy-predictor-00001", Namespace = "default" };
        target.ScalerMetadata.Add("inferenceService", "busy");
        target.ScalerMetadata.Add("component", "predictor");
        target.ScalerMetadata.Add("revision", "busy-predictor-00001");
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var response = await scaler.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = target, MetricName = "" }, deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                metric.Add(run.Now, response.MetricValues.Sum(v => v.MetricValueFloat));
                var isActive = await scaler.IsActiveAsync(target, deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                active.Add(run.Now, isActive.Result ? 1 : 0);
                errors.Add(run.Now, 0);
            }
            catch (RpcException) when (!cancellationToken.IsCancellationRequested)
            {
                errors.Add(run.Now, 1);
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>Gateways whose report is in Redis now (the feed's replica set, <c>SCARD serving:replicas</c>).</summary>
    private static async Task<int> ReportingGatewaysAsync(int port, CancellationToken cancellationToken)
    {
        var (code, output) = await ShortCommand.RunAsync(
            new ProcessSpec("redis-cli", "redis-cli", ["-p", Text(port), "SCARD", "serving:replicas"]), TimeSpan.FromSeconds(5), cancellationToken);
        return code == 0 && int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1;
    }

    private static async Task<ServerProcess> StartAsync(ScenarioRun run, ProcessSpec spec, ReadyProbe ready, CancellationToken cancellationToken)
    {
        var process = run.Own(await ServerProcess.StartAsync(spec, ready, run.Folders.NextLog(spec.Name), TimeSpan.FromSeconds(60), cancellationToken));
        run.Commands.Add(spec.CommandLine);
        return process;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
