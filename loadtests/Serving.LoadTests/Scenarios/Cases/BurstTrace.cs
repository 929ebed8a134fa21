using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serving.Telemetry.Tracing;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>The burst's first request as one trace, read back from the platform's trace file: where its time went.</summary>
internal static class BurstTrace
{
    public static string FileOf(ScenarioRun run) => Path.Combine(run.Folders.Root, "traces.jsonl");

    public static async Task AddSectionAsync(ScenarioRun run, ActivityTraceId traceId, double clientMs)
    {
        string file = FileOf(run);
        IReadOnlyList<SpanRecord> spans = [];
        for (int i = 0; i < 50 && !spans.Any(s => s.TraceId == traceId.ToHexString() && s.Service == "serving-runtime"); i++)
        {
            await Task.Delay(100); // exporters write in batches, about once a second
            spans = TraceFile.Read(file);
        }

        var trace = spans.Where(s => s.TraceId == traceId.ToHexString()).ToList();
        var md = new StringBuilder();
        md.AppendLine("## The first request of the burst, as one trace");
        md.AppendLine();
        if (trace.Count == 0)
        {
            md.AppendLine($"No span of trace {traceId} was found in `{Path.GetRelativePath(Directory.GetCurrentDirectory(), file)}`.");
            run.Sections.Add(md.ToString());
            return;
        }

        var root = trace.FirstOrDefault(s => s.Name == "gateway.request");
        double children = trace.Where(s => root is not null && s.ParentSpanId == root.SpanId).Sum(s => s.DurationMs);
        md.AppendLine($"It carried `traceparent` with trace id `{traceId}`; the client saw {clientMs:0.0} ms. The platform ran with "
            + "`--trace-to` a file, which its gateway and every runtime it started append to (times from each span's start, relative to the first):");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(TraceFile.Tree(spans, traceId.ToHexString()));
        md.AppendLine("```");
        md.AppendLine();
        if (root is not null)
        {
            md.AppendLine($"The gateway's spans under `gateway.request` ({root.DurationMs:0.0} ms) add up to {children:0.0} ms; the client's "
                + $"{clientMs:0.0} ms include its own connection and the response's way back.");
        }

        run.Sections.Add(md.ToString());
    }
}
