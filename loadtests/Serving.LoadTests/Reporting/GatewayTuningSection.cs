using System.Text;
using Serving.LoadTests.Gateway;
using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Reporting;

/// <summary>The report's tuning sweep: both steps, the recommendation, and which knobs work from runtimeconfig.json.</summary>
internal static class GatewayTuningSection
{
    public static void Write(StringBuilder md, GatewayBenchResult r)
    {
        if (r.Sweep is { } sweep)
        {
            string reference = TuningVariant.Default.Name;
            md.AppendLine("## Tuning sweep (gateway only)");
            md.AppendLine();
            md.AppendLine(
                "The gateway alone with the direct baseline in the same interleaved rounds, a fresh gateway process per variant and round. " +
                "\"CPU × default\" is the gateway's CPU per request against the default's, round by round; the score is its geometric mean over " +
                "the concurrencies (below 1 = cheaper). The A/A control is a second default process under another name: how far its score lands " +
                $"from 1 is the noise of the step. A variant helps when it saves more than that noise (at least {Format.Percent(SweepChoice.MinGain)}) " +
                $"without adding more than {Format.N(SweepChoice.MaxAddedP50Growth)} µs of p50 at c={sweep.First.Concurrencies.Min()}; the best two go to step 2.");
            md.AppendLine();
            md.AppendLine($"### Step 1: each knob alone ({sweep.First.Rounds} rounds)");
            md.AppendLine();
            WriteStep(md, sweep.First, sweep.FirstVariants, reference, sweep.FirstThreshold);
            if (sweep.Second is { } second)
            {
                md.AppendLine($"### Step 2: the best two, together, and in runtimeconfig.json ({second.Rounds} rounds)");
                md.AppendLine();
                WriteStep(md, second, sweep.SecondVariants, reference, sweep.SecondThreshold);
            }
            else
            {
                md.AppendLine($"No knob saved more than {Format.Percent(sweep.FirstThreshold)} of CPU per request in step 1, so there was no step 2.");
                md.AppendLine();
            }

            WriteRecommendation(md, r, sweep);
            md.AppendLine("<details><summary>Every cell of the sweep</summary>");
            md.AppendLine();
            GatewayReport.WriteCells(md, sweep.First);
            if (sweep.Second is { } s2)
            {
                GatewayReport.WriteCells(md, s2);
            }

            md.AppendLine("</details>");
            md.AppendLine();
        }

        if (r.Knobs.Count > 0)
        {
            WriteKnobs(md, r.Knobs);
        }
    }

    private static void WriteStep(StringBuilder md, PhaseCells cells, IReadOnlyList<TuningVariant> variants, string reference, double threshold)
    {
        int low = cells.Concurrencies.Min();
        int high = cells.Concurrencies.Max();
        var header = new StringBuilder("| variant | settings |");
        var align = new StringBuilder("|---|---|");
        foreach (int c in cells.Concurrencies)
        {
            header.Append($" µs/request c={c} | CPU × default c={c} |");
            align.Append("---:|---:|");
        }

        header.Append($" score | p50 µs c={low} | added p50 µs c={low} | p99 µs c={high} | errors |");
        align.Append("---:|---:|---:|---:|---|");
        md.AppendLine(header.ToString());
        md.AppendLine(align.ToString());
        foreach (var variant in variants)
        {
            string name = variant.Name;
            bool isReference = name == reference;
            var row = new StringBuilder($"| {name} | {variant.Settings} |");
            foreach (int c in cells.Concurrencies)
            {
                row.Append($" {GatewayReport.WithRange(cells.Of(name, c, x => x.UsPerRequest), "0.0")} |");
                row.Append(isReference ? " 1 |" : $" {GatewayReport.WithRange(cells.Ratio(name, reference, c, x => x.UsPerRequest), "0.00")} |");
            }

            double score = isReference ? 1 : SweepChoice.Score(cells, name, reference);
            string bold = !isReference && !variant.Control && SweepChoice.Helps(score, threshold) ? "**" : "";
            row.Append(
                $" {bold}{Format.N(score, "0.000")}{bold} | {GatewayReport.WithRange(cells.Of(name, low, x => x.P50))} | " +
                $"{GatewayReport.WithRange(cells.Added(name, low, x => x.P50), signed: true)} | {GatewayReport.WithRange(cells.Of(name, high, x => x.P99))} | " +
                $"{(cells.AnyFailed(name) ? "**yes** (see Errors)" : "none")} |");
            md.AppendLine(row.ToString());
        }

        md.AppendLine();
        md.AppendLine($"Saving needed in this step: {Format.Percent(threshold)} (score ≤ {Format.N(1 - threshold, "0.000")}); scores that make it are in bold.");
        md.AppendLine();
    }

    private static void WriteRecommendation(StringBuilder md, GatewayBenchResult r, SweepResult sweep)
    {
        md.AppendLine("### Recommendation");
        md.AppendLine();
        WriteTradeOffs(md, sweep);
        if (sweep.Recommended is not { } best || sweep.Second is not { } second)
        {
            double threshold = sweep.Second is null ? sweep.FirstThreshold : sweep.SecondThreshold;
            md.AppendLine(
                $"Keep the defaults: no variant saved more than {Format.Percent(threshold)} of the gateway's CPU per request (the larger of " +
                $"{Format.Percent(SweepChoice.MinGain)} and the A/A control's distance from the default) " +
                (sweep.Second is null ? "in step 1." : "in step 2 without costing p50 latency.") +
                " The tables above show each knob's effect; effects inside the noise are not evidence either way.");
            md.AppendLine();
            return;
        }

        string reference = TuningVariant.Default.Name;
        int low = second.Concurrencies.Min();
        md.AppendLine(
            $"**{best.Name}**: {best.Settings}. In step 2 it used {Format.Ratio(SweepChoice.Score(second, best.Name, reference), "0.000")} the default's CPU per request " +
            $"({string.Join(", ", second.Concurrencies.Select(c => $"c={c}: {Format.Ratio(second.Ratio(best.Name, reference, c, x => x.UsPerRequest).Median)}"))}); " +
            $"added p50 at c={low} {GatewayReport.Signed(second.Added(best.Name, low, x => x.P50).Median)} µs against the default's " +
            $"{GatewayReport.Signed(second.Added(reference, low, x => x.P50).Median)} µs.");
        if (sweep.SecondVariants.FirstOrDefault(v => v.ConfigKnobs.Count > 0) is { } inConfig)
        {
            md.AppendLine(
                $"Written in runtimeconfig.json instead of the environment ({inConfig.Settings}) the same knobs scored " +
                $"{Format.Ratio(SweepChoice.Score(second, inConfig.Name, reference), "0.000")} against " +
                $"{Format.Ratio(SweepChoice.Score(second, (inConfig with { InRuntimeConfig = null }).Name, reference), "0.000")} from the environment.");
        }

        if (r.TunedGateway is { } tuned && r.Proxies is { } p)
        {
            int high = p.Concurrencies.Max();
            md.AppendLine(
                $"In the proxy comparison the tuned gateway used {Format.N(p.Of(tuned, high, x => x.UsPerRequest).Median, "0.0")} µs per request at c={high} " +
                $"against {Format.N(p.Of(GatewayBenchResult.Gateway, high, x => x.UsPerRequest).Median, "0.0")} µs as built.");
        }

        md.AppendLine();
        md.AppendLine("Where each setting goes (from the runtime knob check below, which tries each one both ways and looks at its effect):");
        md.AppendLine();
        foreach (var knob in best.Knobs)
        {
            var check = r.Knobs.FirstOrDefault(k => k.Knob == knob);
            md.AppendLine(check switch
            {
                { RuntimeConfigWorks: true } =>
                    $"- {knob.Name}: in `gateway/Serving.Gateway.Host/Serving.Gateway.Host.csproj`, `{knob.ProjectSetting}` (written to runtimeconfig.json as " +
                    $"`\"{knob.ConfigProperty}\": {knob.ConfigValue.ToJsonString()}`, which the check shows takes effect); it then travels with the build.",
                { EnvironmentWorks: true } =>
                    $"- {knob.Name}: environment only, `{knob.Environment}` where the gateway is launched (container image `ENV`, the deployment's env, the " +
                    $"local launcher); the runtimeconfig.json property `{knob.ConfigProperty}` had no effect.",
                _ => $"- {knob.Name}: `{knob.Environment}`; not verified (the knob check did not run or failed).",
            });
        }

        md.AppendLine();
    }

    /// <summary>Variants that saved enough CPU but were turned down for latency at the lowest concurrency: a trade, worth naming.</summary>
    private static void WriteTradeOffs(StringBuilder md, SweepResult sweep)
    {
        var (cells, variants, threshold) = sweep.Second is { } second
            ? (second, sweep.SecondVariants, sweep.SecondThreshold)
            : (sweep.First, sweep.FirstVariants, sweep.FirstThreshold);
        string reference = TuningVariant.Default.Name;
        int low = cells.Concurrencies.Min();
        double referenceP50 = cells.Added(reference, low, x => x.P50).Median;
        foreach (var variant in variants.Where(v => v.Name != reference && !v.Control && v.ConfigKnobs.Count == 0))
        {
            double score = SweepChoice.Score(cells, variant.Name, reference);
            double p50 = cells.Added(variant.Name, low, x => x.P50).Median;
            if (SweepChoice.Helps(score, threshold) && p50 > referenceP50 + SweepChoice.MaxAddedP50Growth)
            {
                md.AppendLine(
                    $"- **{variant.Name}** is a trade, not a gain: it used {Format.Ratio(score, "0.000")} the default's CPU per request " +
                    $"({string.Join(", ", cells.Concurrencies.Select(c => $"c={c}: {Format.Ratio(cells.Ratio(variant.Name, reference, c, x => x.UsPerRequest).Median)}"))}), " +
                    $"but at c={low} its added p50 was {GatewayReport.Signed(p50)} µs against the default's {GatewayReport.Signed(referenceP50)} µs and it served " +
                    $"{Format.N(cells.Of(variant.Name, low, x => x.RequestsPerSecond).Median)} req/s against {Format.N(cells.Of(reference, low, x => x.RequestsPerSecond).Median)} " +
                    $"(proxy cores {Format.N(cells.Of(variant.Name, low, x => x.ProxyCores).Median, "0.00")} against {Format.N(cells.Of(reference, low, x => x.ProxyCores).Median, "0.00")}).");
                md.AppendLine();
            }
        }
    }

    private static void WriteKnobs(StringBuilder md, IReadOnlyList<KnobCheck> knobs)
    {
        md.AppendLine("## runtimeconfig.json equivalents, checked by effect");
        md.AppendLine();
        md.AppendLine(
            "`serving-loadtests runtime-knobs` observes what the runtime does (whether the GC is server GC, gen0 collections while allocating 1 GiB of " +
            "small arrays, the thread pool's spin count, whether a socket continuation runs inline on the event thread, JIT compilations per hot method) " +
            "and runs under the gateway's own runtimeconfig.json (`dotnet exec --runtimeconfig`): as built, with the environment variable, and from a copy of " +
            "the build output whose runtimeconfig.json carries the property instead.");
        md.AppendLine();
        md.AppendLine("| knob | environment variable | observed | as built | with the variable | runtimeconfig.json property | with the property | property works |");
        md.AppendLine("|---|---|---|---:|---:|---|---:|---|");
        foreach (var k in knobs)
        {
            md.AppendLine(
                $"| {k.Knob.Name} | `{k.Knob.Environment}` | {k.Knob.Observable} | {k.AsBuilt} | {k.WithEnvironment} | " +
                $"`\"{k.Knob.ConfigProperty}\": {k.Knob.ConfigValue.ToJsonString()}` | {k.WithRuntimeConfig} | " +
                $"{(k.Error is not null ? "error" : k.RuntimeConfigWorks ? "**yes**" : k.EnvironmentWorks ? "no: environment only" : "the variable itself had no visible effect")} |");
        }

        md.AppendLine();
        md.AppendLine(
            "A property that works can be set in the project file (the SDK writes it to runtimeconfig.json): " +
            string.Join("; ", knobs.Where(k => k.RuntimeConfigWorks).Select(k => $"{k.Knob.Name} `{k.Knob.ProjectSetting}`")) +
            ". An environment variable always wins over runtimeconfig.json.");
        md.AppendLine();
    }
}
