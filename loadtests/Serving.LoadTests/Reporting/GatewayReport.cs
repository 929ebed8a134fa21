using System.Text;
using Serving.LoadTests.Gateway;
using Serving.LoadTests.Observation;

namespace Serving.LoadTests.Reporting;

/// <summary>
/// Writes <c>gateway.md</c> (and a PNG beside it). Every comparison is made round by round against targets measured
/// in the same interleaved rounds, and reported as the median over rounds with the lowest and highest round.
/// </summary>
internal static class GatewayReport
{
    /// <summary>The issue's targets: requests per proxy CPU-second at least this share of nginx's…</summary>
    public const double NginxShareTarget = 0.75;

    /// <summary>…which on the issue's machine was ≤ 23 µs of proxy CPU per request.</summary>
    public const double UsPerRequestTarget = 23;

    public static IReadOnlyList<string> TargetLines(GatewayBenchResult r)
    {
        if (r.Proxies is not { } p)
        {
            return ["proxy comparison not run (--phases)"];
        }

        var lines = new List<string>();
        foreach (string gateway in GatewayBenchResult.GatewayTargets.Append(r.TunedGateway).OfType<string>().Where(p.Targets.Contains))
        {
            foreach (int c in p.Concurrencies)
            {
                var nginx = p.Ratio(gateway, GatewayBenchResult.Nginx, c, x => x.RequestsPerCpuSecond);
                var go = p.Ratio(gateway, GatewayBenchResult.Go, c, x => x.RequestsPerCpuSecond);
                lines.Add(
                    $"{Mark(nginx.Median >= NginxShareTarget)} {gateway}, c={c}: {Format.Ratio(nginx.Median)} nginx's requests per proxy CPU-second " +
                    $"(target ≥ {Format.Ratio(NginxShareTarget)}; rounds {Range(nginx, "0.00")}×)");
                lines.Add(
                    $"{Mark(go.Median > 1)} {gateway}, c={c}: {Format.Ratio(go.Median)} the Go proxy's requests per proxy CPU-second " +
                    $"(target > 1×; rounds {Range(go, "0.00")}×)");
            }

            int low = p.Concurrencies.Min();
            var ours = p.Added(gateway, low, x => x.P50);
            var theirs = p.Added(GatewayBenchResult.Nginx, low, x => x.P50);
            lines.Add(
                $"{Mark(ours.Median <= theirs.Median)} {gateway}, c={low}: added p50 {Signed(ours.Median)} µs against nginx's {Signed(theirs.Median)} µs " +
                "(target: no worse than nginx's)");
            int high = p.Concurrencies.Max();
            var us = p.Of(gateway, high, x => x.UsPerRequest);
            lines.Add(
                $"{Mark(us.Median <= UsPerRequestTarget)} {gateway}, c={high}: {Format.N(us.Median, "0.0")} µs of proxy CPU per request " +
                $"(issue's figure ≤ {Format.N(UsPerRequestTarget)} µs, measured on another machine; nginx here {Format.N(p.Of(GatewayBenchResult.Nginx, high, x => x.UsPerRequest).Median, "0.0")} µs)");
        }

        if (p.Targets.Contains(GatewayBenchResult.Yarp))
        {
            foreach (int c in p.Concurrencies)
            {
                var floor = p.Ratio(GatewayBenchResult.Yarp, GatewayBenchResult.Nginx, c, x => x.RequestsPerCpuSecond);
                var ours = p.Ratio(GatewayBenchResult.Gateway, GatewayBenchResult.Yarp, c, x => x.RequestsPerCpuSecond);
                lines.Add(
                    $"the floor, c={c}: a bare YARP MapForwarder reaches {Format.Ratio(floor.Median)} nginx's requests per proxy CPU-second " +
                    $"(rounds {Range(floor, "0.00")}×); the gateway {Format.Ratio(ours.Median)} the bare forwarder's (rounds {Range(ours, "0.00")}×)");
            }
        }

        return lines;
    }

    /// <summary>Writes the report and returns its full path.</summary>
    public static string Write(GatewayBenchResult result, string path, bool plot)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string? png = null;
        if (plot && result.Proxies is not null)
        {
            png = Path.ChangeExtension(full, ".png");
            GatewayPlot.Save(result, png);
        }

        File.WriteAllText(full, Render(result, png is null ? null : Path.GetFileName(png)));
        return full;
    }

    internal static string Mark(bool met) => met ? "✓" : "✗";

    internal static string Signed(double value) => double.IsFinite(value) ? (value >= 0 ? "+" : "") + Format.N(value) : "–";

    internal static string Range(Spread s, string format = "0") => s.Count > 1 ? $"{Format.N(s.Min, format)}–{Format.N(s.Max, format)}" : "–";

    /// <summary>Median with the rounds' range in small text.</summary>
    internal static string WithRange(Spread s, string format = "0", bool signed = false) =>
        s.Count == 0 ? "–"
        : (signed ? Signed(s.Median) : Format.N(s.Median, format)) + (s.Count > 1 ? $" <sub>{Format.N(s.Min, format)}…{Format.N(s.Max, format)}</sub>" : "");

    private static string Render(GatewayBenchResult r, string? png)
    {
        var md = new StringBuilder();
        var o = r.Options;
        md.AppendLine("# serving-gateway benchmark: proxy CPU per request and added latency");
        md.AppendLine();
        md.AppendLine($"Generated by `serving-loadtests gateway` on {r.StartedAt:yyyy-MM-dd HH:mm} UTC; the run took {r.Elapsed.TotalMinutes:0.0} min.");
        md.AppendLine();
        if (r.Proxies is not null)
        {
            md.AppendLine("## Targets");
            md.AppendLine();
            foreach (string line in TargetLines(r))
            {
                md.AppendLine($"- {line}");
            }

            md.AppendLine();
            md.AppendLine(
                "Requests per proxy CPU-second = requests served ÷ CPU seconds (user + system) of the proxy process(es) over the measured window; " +
                "its inverse is µs of proxy CPU per request. Ratios are taken round by round between targets measured in the same interleaved round, " +
                "and the median over rounds is reported. Added latency = the target's p50/p99 minus the backend's reached directly in the same round. " +
                "Absolute figures move with the neighbours on this shared machine; compare ratios between runs.");
            md.AppendLine();
        }

        WriteMachine(md, r.Machine);
        WriteSetup(md, r);
        if (r.Proxies is { } proxies)
        {
            WriteProxies(md, r, proxies, png);
        }

        GatewayTuningSection.Write(md, r);
        GatewaySnapshotSection.Write(md, r);
        WriteErrors(md, r);
        md.AppendLine("## How to reproduce");
        md.AppendLine();
        md.AppendLine("From the repository root (installs wrk, nginx and Debian's Go when missing, builds the gateway, the Go proxy and this benchmark, runs it):");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine("loadtests/run-gateway-bench.sh" + (o.Arguments.Count > 0 ? " " + string.Join(' ', o.Arguments) : ""));
        md.AppendLine("```");
        return md.ToString();
    }

    private static void WriteMachine(StringBuilder md, MachineInfo m)
    {
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine($"- cores (nproc): {m.Cores}; CPU: {m.CpuModel}");
        md.AppendLine($"- {m.Os}; {m.DotNet}");
        foreach (string tool in m.Tools)
        {
            md.AppendLine($"- {tool}");
        }

        md.AppendLine("- wrk, the backend, the proxy under test and everything else on the machine share these cores; nothing is pinned.");
        md.AppendLine();
    }

    private static void WriteSetup(StringBuilder md, GatewayBenchResult r)
    {
        var o = r.Options;
        if (r.Proxies is null && r.Sweep is null)
        {
            return;
        }

        md.AppendLine("## Setup");
        md.AppendLine();
        md.AppendLine($"- Backend: nginx, 1 worker, `return 200 '{Server.NginxConf.BackendBody}'` for every request; the same process behind every proxy and for the direct baseline.");
        md.AppendLine(
            "- gateway: `serving-gateway` (Release, run from a copy of the build output), its full request path on: host routing, the canary draw " +
            "(two revisions split 50/50 on the same backend), least-in-flight replica choice, per-revision accounting and Prometheus metrics, " +
            "forwarding on the direct HTTP/1.1 path (the default: plain requests with small bodies; the rest through YARP); `--log-level Warning`; " +
            ".NET's socket event threads (one per core with inline I/O).");
        md.AppendLine(
            $"- {GatewayBenchResult.GatewayOneThread}: the same with `--io-threads 1`, like for like with nginx's single worker. " +
            $"{GatewayBenchResult.GatewayYarpPath}: the same with `--forwarder yarp`, every request through YARP's `HttpForwarder` " +
            "(with the small-body coalescing handler), which is what the gateway did before the direct path.");
        md.AppendLine(
            "- yarp (bare): `loadtests/yarp-forwarder`, YARP's `MapForwarder(\"/{**catch-all}\", backend)` on a slim ASP.NET Core host with the same runtime settings " +
            "(Server GC, `AddServerHeader = false`, logging at Warning) and .NET's default I/O scheduling: none of the gateway's routing, canary, accounting, metrics or header transforms. " +
            "What it costs is the framework's floor under the gateway on this machine.");
        md.AppendLine("- nginx: 1 worker, `upstream` with `keepalive 64`, `proxy_http_version 1.1`, `proxy_set_header Connection \"\"`, access log off.");
        md.AppendLine(
            "- go: `loadtests/go-proxy`, `httputil.NewSingleHostReverseProxy` with an `http.Transport` keeping 256 idle connections per host " +
            "(standard library only; GOMAXPROCS = cores), the core of Knative's activator and queue-proxy and of KEDA's HTTP interceptor.");
        md.AppendLine(
            $"- Client: wrk, `post.lua` posting `{GatewayBenchmark.Body}` to `{Gateway.TargetLauncher.RequestPath}` with `Host: {Gateway.TargetLauncher.Host}`, " +
            $"{o.WrkThreads} thread(s) at most, connections {string.Join(" and ", o.Concurrency)}; every response must be 200 (post.lua counts the others).");
        md.AppendLine(
            $"- Each cell: {o.WarmupDuration.TotalSeconds:0.#} s of wrk warm-up, then {o.CellDuration.TotalSeconds:0.#} s measured. CPU from `/proc/<pid>/stat` " +
            "(utime + stime) of the proxy process and its children (nginx: master + worker) before and after the window; the backend's, wrk's, this benchmark's and the machine's too.");
        md.AppendLine(
            "- Rounds: every round measures every target, starting one target later than the round before. Each proxy is a fresh process in every round " +
            $"(started, loaded {o.ProcessWarmupDuration.TotalSeconds:0.#} s at the highest concurrency so that the gateway's tiered JIT settles, measured, stopped; the backend stays), so that one " +
            "process's luck (where its threads land, how its pools settle) spreads over the rounds instead of favouring a target. A cell during which other processes used more than " +
            $"{Format.N(QuietestAttempt.NoisyCores, "0.00")} cores is measured again (up to {o.Attempts} times in all) and the quietest attempt kept; errors of every attempt are kept.");
        if (r.Commands.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Commands (ports are free loopback ports picked per run):");
            md.AppendLine();
            md.AppendLine("```");
            foreach (string command in r.Commands.Concat(r.WrkCommands))
            {
                md.AppendLine(command);
            }

            md.AppendLine("```");
        }

        md.AppendLine();
    }

    private static void WriteProxies(StringBuilder md, GatewayBenchResult r, PhaseCells p, string? png)
    {
        md.AppendLine("## Proxy comparison");
        md.AppendLine();
        md.AppendLine(
            $"{p.Rounds} interleaved rounds. Figures are medians over rounds, with the lowest and highest round in small print. " +
            "\"× nginx\" and \"× go\" compare requests per proxy CPU-second round by round (above 1 = cheaper than that proxy).");
        md.AppendLine();
        md.AppendLine("| target | conc. | req/s | proxy µs/request | requests per proxy CPU-second | × nginx | × go | p50 µs | p99 µs | added p50 µs | added p99 µs | proxy cores | backend µs/request | others' cores (max) | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (int c in p.Concurrencies)
        {
            foreach (string target in p.Targets)
            {
                bool direct = target == Gateway.Target.Direct;
                string bold = target == GatewayBenchResult.Gateway ? "**" : "";
                md.AppendLine(
                    $"| {bold}{target}{bold} | {c} | {WithRange(p.Of(target, c, x => x.RequestsPerSecond))} | " +
                    $"{(direct ? "–" : bold + WithRange(p.Of(target, c, x => x.UsPerRequest), "0.0") + bold)} | " +
                    $"{(direct ? "–" : WithRange(p.Of(target, c, x => x.RequestsPerCpuSecond)))} | " +
                    $"{(direct ? "–" : WithRange(p.Ratio(target, GatewayBenchResult.Nginx, c, x => x.RequestsPerCpuSecond), "0.00"))} | " +
                    $"{(direct ? "–" : WithRange(p.Ratio(target, GatewayBenchResult.Go, c, x => x.RequestsPerCpuSecond), "0.00"))} | " +
                    $"{WithRange(p.Of(target, c, x => x.P50))} | {WithRange(p.Of(target, c, x => x.P99))} | " +
                    $"{(direct ? "–" : WithRange(p.Added(target, c, x => x.P50), signed: true))} | {(direct ? "–" : WithRange(p.Added(target, c, x => x.P99), signed: true))} | " +
                    $"{(direct ? "–" : Format.N(p.Of(target, c, x => x.ProxyCores).Median, "0.00"))} | {Format.N(p.Of(target, c, x => x.BackendUsPerRequest).Median, "0.0")} | " +
                    $"{Format.N(p.MaxOtherCores(target, c), "0.00")} | {(p.For(target, c).Any(x => x.Failed) ? "**yes** (see Errors)" : "none")} |");
            }
        }

        md.AppendLine();
        int low = p.Concurrencies.Min();
        var directP50 = p.Of(Gateway.Target.Direct, low, x => x.P50);
        md.AppendLine(
            $"Reading c={low}: every request crosses from wrk to the proxy to the backend and back, and on this VM waking a halted vCPU costs tens of µs, " +
            $"so latency at one connection depends on whether the cores are kept busy (a proxy whose idle threads spin keeps them awake, and pays for it in CPU). " +
            $"The direct baseline's p50 ranged over {Range(directP50)} µs across rounds; added latency is taken against it round by round. " +
            "Proxy CPU counts user + system time of the proxy's processes only: interrupt time (the loopback network stack) is charged to no process, for every target alike.");
        md.AppendLine();
        var shares = p.Cells.Where(c => c.CanaryShare is not null).Select(c => c.CanaryShare!.Value).ToList();
        if (shares.Count > 0)
        {
            md.AppendLine(
                $"The gateway's own counters: {Format.Percent(shares.Average())} of its 200s went to `{Gateway.TargetLauncher.CanaryRevision}` " +
                $"(configured 50 %; per cell {Format.Percent(shares.Min())}–{Format.Percent(shares.Max())}), so the canary draw ran on every request.");
            md.AppendLine();
        }

        if (png is not null)
        {
            md.AppendLine($"![proxy CPU per request]({png})");
            md.AppendLine();
        }

        md.AppendLine("<details><summary>Every cell of the proxy comparison</summary>");
        md.AppendLine();
        WriteCells(md, p);
        md.AppendLine("</details>");
        md.AppendLine();
    }

    internal static void WriteCells(StringBuilder md, PhaseCells p)
    {
        md.AppendLine("| round | target | conc. | req/s | proxy µs/request | p50 µs | p99 µs | proxy cores | backend cores | wrk cores | interrupt cores | others' cores |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in p.Cells)
        {
            md.AppendLine(
                $"| {c.Round} | {c.Target} | {c.Concurrency} | {Format.N(c.RequestsPerSecond)} | {Format.N(c.UsPerRequest, "0.0")} | {Format.N(c.P50)} | {Format.N(c.P99)} | " +
                $"{Format.N(c.ProxyCores, "0.00")} | {Format.N(c.BackendCpuSeconds / c.Seconds, "0.00")} | {Format.N(c.WrkCpuSeconds / c.Seconds, "0.00")} | {Format.N(c.InterruptCores, "0.00")} | {Format.N(c.OtherCores, "0.00")} |");
        }

        md.AppendLine();
    }

    private static void WriteErrors(StringBuilder md, GatewayBenchResult r)
    {
        var failed = r.AllCells.Where(c => c.Failed).ToList();
        var knobErrors = r.Knobs.Where(k => k.Error is not null).ToList();
        md.AppendLine("## Errors");
        md.AppendLine();
        if (failed.Count == 0 && knobErrors.Count == 0)
        {
            md.AppendLine(r.AllCells.Any()
                ? "None: every response in every cell (warm-ups included) was 200, with no socket errors or timeouts, and the gateway counted no 5xx."
                : "None.");
        }

        foreach (var cell in failed)
        {
            md.AppendLine($"- {cell.Phase}, round {cell.Round}, {cell.Target}, concurrency {cell.Concurrency}: {cell.Error}");
        }

        foreach (var check in knobErrors)
        {
            md.AppendLine($"- runtime knob check, {check.Knob.Name}: {check.Error}");
        }

        md.AppendLine();
    }
}
