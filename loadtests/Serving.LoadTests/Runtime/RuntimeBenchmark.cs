using System.Diagnostics;
using System.Globalization;
using Serving.LoadTests.Baseline;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Payloads;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Server;
using Serving.LoadTests.Wrk;

namespace Serving.LoadTests.Runtime;

/// <summary>
/// The <c>runtime</c> benchmark: in-process ONNX Runtime throughput (start), a sweep of batch delays, every server
/// configuration × wire format × concurrency, in-process again (end), then the markdown report.
/// </summary>
internal sealed class RuntimeBenchmark(RuntimeBenchOptions options, Progress progress)
{
    public const double DelayTolerance = 0.05;

    private readonly WrkRunner _wrk = new(options.WrkThreads);
    private readonly Dictionary<WireFormat, InferPayload> _payloads = [];
    private ImageInput? _input;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string modelPath = Path.GetFullPath(options.ModelPath);
        string serverDll = Path.GetFullPath(options.ServerDll);
        if (!File.Exists(modelPath))
        {
            throw new BenchmarkException($"model {modelPath} not found (scripts/fetch-models.sh fetches it)");
        }

        if (!File.Exists(serverDll))
        {
            throw new BenchmarkException($"{serverDll} not found (dotnet build runtime/Serving.Runtime.Host -c Release)");
        }

        string provider = options.Device == BenchDevice.Cuda ? "CUDA" : "CPU";
        List<string> tools = [$"ONNX Runtime {InProcessBaseline.OnnxRuntimeVersion} ({provider} execution provider)", await WrkRunner.VersionAsync(cancellationToken)];
        if (options.Device == BenchDevice.Cuda)
        {
            tools.Add(await GpuInfo.DescribeAsync(cancellationToken));
        }

        var machine = MachineInfo.Read(tools);
        Directory.CreateDirectory(options.WorkDir);
        var baselineStart = await MeasureBaselineAsync("start", modelPath, cancellationToken);
        foreach (var format in options.Protocols.Append(WireFormat.Binary).Distinct())
        {
            _payloads[format] = InferPayloads.Write(format, _input!, options.WorkDir);
        }

        int topConcurrency = options.Concurrency.Max();
        int topBatch = options.BatchSizes.Max();
        var sweep = new List<CellResult>();
        double delay = options.Delays[0];
        if (options.Delays.Count > 1)
        {
            foreach (double d in options.Delays)
            {
                sweep.AddRange(await MeasureConfigAsync(
                    new ServerConfig(topBatch, d, options.Device, options.CudnnConvAlgoSearch, options.BatchPadding[0]), [WireFormat.Binary], [topConcurrency], modelPath, serverDll, cancellationToken));
            }

            delay = ChooseDelay(sweep) ?? delay;
            progress.Write($"best delay at max batch {topBatch}, concurrency {topConcurrency}: {delay} ms");
        }

        var cells = new List<CellResult>();
        var configs = options.BatchPadding
            .SelectMany(padding => options.BatchSizes.Select(b => new ServerConfig(b, delay, options.Device, options.CudnnConvAlgoSearch, padding)))
            .Prepend(new ServerConfig(1, 0, options.Device, options.CudnnConvAlgoSearch));
        foreach (var config in configs)
        {
            cells.AddRange(await MeasureConfigAsync(config, options.Protocols, options.Concurrency, modelPath, serverDll, cancellationToken));
        }

        var baselineEnd = await MeasureBaselineAsync("end", modelPath, cancellationToken);

        var exampleConfig = new ServerConfig(topBatch, delay, options.Device, options.CudnnConvAlgoSearch, options.BatchPadding[0]);
        var result = new RuntimeBenchResult(
            startedAt,
            clock.Elapsed,
            machine,
            options,
            new BaselineSummary(baselineStart, baselineEnd),
            _input!,
            sweep,
            delay,
            cells,
            _payloads,
            RuntimeServer.CommandLine(options.ServerDll, exampleConfig.Arguments(ModelDir(options.ModelPath), options.ModelName, 0)),
            _wrk.Describe(topConcurrency, options.CellDuration, _payloads[WireFormat.Binary].ToWrkRequest($"http://127.0.0.1:PORT/v2/models/{options.ModelName}/infer"))
                .Replace(Environment.CurrentDirectory + "/", "", StringComparison.Ordinal));

        string report = RuntimeReport.Write(result, options.OutputPath, options.Plot);
        var failed = sweep.Concat(cells).Where(c => c.Failed).ToList();
        Console.WriteLine(RuntimeReport.TargetLine(result));
        Console.WriteLine($"report: {report}");
        if (failed.Count > 0)
        {
            Console.WriteLine($"{failed.Count} cell(s) had errors; see the report's Errors section");
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// The smallest delay within <see cref="DelayTolerance"/> of the fastest: a delay costs every request latency at low
    /// concurrency, so it has to buy clearly more than noise in throughput.
    /// </summary>
    private static double? ChooseDelay(List<CellResult> sweep)
    {
        var usable = sweep.Where(c => !c.Failed).ToList();
        if (usable.Count == 0)
        {
            return null;
        }

        double fastest = usable.Max(c => c.RequestsPerSecond);
        return usable.Where(c => c.RequestsPerSecond >= fastest * (1 - DelayTolerance)).Min(c => c.Config.MaxBatchDelayMs);
    }

    private static string ModelDir(string modelPath) => Path.GetDirectoryName(modelPath) is { Length: > 0 } dir ? dir : ".";

    private async Task<List<BaselinePoint>> MeasureBaselineAsync(string phase, string modelPath, CancellationToken cancellationToken)
    {
        using var baseline = new InProcessBaseline(modelPath, options.Device, options.CudnnConvAlgoSearch, options.RowShape);
        _input ??= baseline.Input;
        var points = new List<BaselinePoint>();
        foreach (int batch in options.BaselineBatches)
        {
            // Keep the attempt the neighbours disturbed least.
            var (kept, _) = await QuietestAttempt.MeasureAsync(
                options.Attempts,
                () => Task.FromResult(baseline.Measure(batch, options.BaselineDuration, cancellationToken)),
                p => p.OtherCores,
                _ => null,
                (_, point) => progress.Write(
                    $"in-process ({phase}) batch {batch}: {point.ImagesPerSecond:0} images/s, {point.MillisecondsPerRun:0.00} ms per Run, " +
                    $"{point.CpuCores:0.00} cores, others {point.OtherCores:0.00} cores"));
            points.Add(kept);
        }

        return points;
    }

    private async Task<List<CellResult>> MeasureConfigAsync(
        ServerConfig config,
        IReadOnlyList<WireFormat> formats,
        IReadOnlyList<int> concurrencies,
        string modelPath,
        string serverDll,
        CancellationToken cancellationToken)
    {
        var cells = new List<CellResult>();
        string logPath = Path.Combine(
            options.WorkDir, $"server-{config.FileKey}.log");
        RuntimeServer server;
        try
        {
            server = await RuntimeServer.StartAsync(serverDll, config, ModelDir(modelPath), options.ModelName, logPath, cancellationToken);
        }
        catch (BenchmarkException e)
        {
            progress.Write($"batching {config.Label}: {e.Message}");
            return [.. formats.SelectMany(f => concurrencies.Select(c =>
                new CellResult(config, f, c, _wrk.ThreadsFor(c), null, null, 0, 0, 0, e.Message)))];
        }

        await using (server)
        {
            using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) };
            foreach (var format in formats)
            {
                foreach (int concurrency in concurrencies)
                {
                    var cell = await MeasureCellAsync(server, http, config, format, concurrency, cancellationToken);
                    progress.Write(Describe(cell));
                    cells.Add(cell);
                }
            }
        }

        return cells;
    }

    /// <summary>
    /// Measures a cell again while neighbours used more than <see cref="QuietestAttempt.NoisyCores"/>, keeping the quietest
    /// attempt; errors of every attempt stay on the kept one, so a retry never hides them.
    /// </summary>
    private async Task<CellResult> MeasureCellAsync(
        RuntimeServer server, HttpClient http, ServerConfig config, WireFormat format, int concurrency, CancellationToken cancellationToken)
    {
        var (kept, errors) = await QuietestAttempt.MeasureAsync(
            options.Attempts,
            () => MeasureOnceAsync(server, http, config, format, concurrency, cancellationToken),
            c => c.OtherCores,
            c => c.Error,
            (attempt, cell) =>
            {
                if (attempt > 1 || cell.OtherCores > QuietestAttempt.NoisyCores)
                {
                    progress.Write($"  attempt {attempt}: {Describe(cell)}");
                }
            });
        return kept with { Error = errors.Count > 0 ? string.Join("; ", errors) : null };
    }

    private async Task<CellResult> MeasureOnceAsync(
        RuntimeServer server, HttpClient http, ServerConfig config, WireFormat format, int concurrency, CancellationToken cancellationToken)
    {
        var payload = _payloads[format];
        string url = new Uri(server.Address, $"/v2/models/{options.ModelName}/infer").ToString();
        var errors = new List<string>();
        if (options.WarmupDuration > TimeSpan.Zero)
        {
            var (warm, warmOutput) = await _wrk.RunAsync(concurrency, options.WarmupDuration, payload.ToWrkRequest(url), cancellationToken);
            if (warm is null)
            {
                errors.Add($"warm-up: wrk failed: {Tail(warmOutput)}");
            }
            else if (warm.HasErrors)
            {
                errors.Add($"warm-up: {warm.ErrorSummary}");
            }
        }

        var metricsBefore = await ScrapeAsync(http, cancellationToken);
        var cpuBefore = CpuCounters.Read(server.ProcessId);
        long start = Stopwatch.GetTimestamp();
        var (result, output) = await _wrk.RunAsync(concurrency, options.CellDuration, payload.ToWrkRequest(url), cancellationToken);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpuAfter = CpuCounters.Read(server.ProcessId);
        var metricsAfter = await ScrapeAsync(http, cancellationToken);

        if (result is null)
        {
            errors.Add($"wrk failed: {Tail(output)}");
        }
        else if (result.HasErrors)
        {
            errors.Add(result.ErrorSummary);
        }

        var (machineCores, serverCores) = CpuCounters.CoresBetween(cpuBefore, cpuAfter, seconds);
        var window = metricsBefore is not null && metricsAfter is not null
            ? ServerCounters.Between(metricsBefore, metricsAfter, seconds)
            : null;
        if (window is null)
        {
            errors.Add("could not read the server's /metrics");
        }
        else if (window.ServerErrors > 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"server counted {window.ServerErrors:0} 5xx responses"));
        }

        return new CellResult(
            config,
            format,
            concurrency,
            _wrk.ThreadsFor(concurrency),
            result,
            window,
            serverCores,
            result is null ? double.NaN : result.CpuSeconds / seconds,
            machineCores,
            errors.Count > 0 ? string.Join("; ", errors) : null);
    }

    private static async Task<ServerCounters?> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            string text = await http.GetStringAsync("/metrics", cancellationToken);
            return ServerCounters.From(PrometheusText.Parse(text));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Tail(string output)
    {
        string trimmed = output.Trim().ReplaceLineEndings(" ");
        return trimmed.Length > 300 ? trimmed[^300..] : trimmed;
    }

    private static string Describe(CellResult cell) =>
        $"batching {cell.Config.Label}, {cell.Format.ToString().ToLowerInvariant()}, c={cell.Concurrency}: " +
        $"{cell.RequestsPerSecond:0} req/s, p50 {(cell.Wrk?.LatencyP50Us ?? 0) / 1000.0:0.0} ms, " +
        $"rows/Run {cell.Server?.RowsPerRun ?? double.NaN:0.0}, server {cell.ServerCores:0.00} cores, wrk {cell.WrkCores:0.00} cores, " +
        $"others {cell.OtherCores:0.00} cores" +
        (cell.Error is { } e ? $" ERROR: {e}" : "");
}
