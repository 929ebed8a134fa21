using System.Text;
using Serving.LoadTests.Gateway;

namespace Serving.LoadTests.Reporting;

/// <summary>The report's routing snapshot section: rebuild times and lookup cost with many InferenceServices.</summary>
internal static class GatewaySnapshotSection
{
    public static void Write(StringBuilder md, GatewayBenchResult r)
    {
        if (r.Snapshot is not { } s)
        {
            return;
        }

        md.AppendLine($"## Routing snapshot with {s.Services:N0} InferenceServices");
        md.AppendLine();
        md.AppendLine(
            $"In process, `ServiceCatalog` as the gateway builds it: {s.Services:N0} services over 10 namespaces, each predictor split 10/90 over two " +
            $"revisions with `latest`/`prev` tags and two replicas each ({s.Revisions:N0} revisions, {s.Hosts:N0} hosts: service, component and tag hosts). " +
            $"Other processes used {Format.N(s.OtherCores, "0.00")} cores meanwhile (the quietest of up to {r.Options.Attempts} attempts). " +
            "Each attempt builds a fresh catalog.");
        md.AppendLine();
        md.AppendLine("| operation | time | allocated |");
        md.AppendLine("|---|---:|---:|");
        md.AppendLine($"| first `Replace` (creates every revision's state and metrics) | {Format.N(s.FirstReplaceMs, "0.00")} ms | – |");
        md.AppendLine($"| `Replace` of all {s.Services:N0} (full resync; median of {s.ReplaceMs.Count}) | {GatewayReport.WithRange(s.ReplaceMs, "0.00")} ms | {Format.N(s.ReplaceAllocatedBytes / 1048576, "0.0")} MiB |");
        md.AppendLine($"| `Set` of one with {s.Services - 1:N0} others present (median of {s.SetMs.Count}) | {GatewayReport.WithRange(s.SetMs, "0.00")} ms | {Format.N(s.SetAllocatedBytes / 1048576, "0.0")} MiB |");
        md.AppendLine(
            $"| `Current.TryGetHost` (median of {s.LookupNs.Count} × {s.LookupsPerRepetition:N0} lookups, {Format.Percent(s.LookupHitRate)} found) | " +
            $"{GatewayReport.WithRange(s.LookupNs, "0.0")} ns | {s.LookupAllocatedBytes:N0} bytes in all |");
        md.AppendLine();
        md.AppendLine(
            $"Every change rebuilds the whole table (frozen dictionaries) from every service, so one `Set` costs the same order as a full `Replace` " +
            $"({Format.N(s.SetMs.Median, "0.0")} against {Format.N(s.ReplaceMs.Median, "0.0")} ms here); a request pays one case-insensitive " +
            "frozen-dictionary probe on the current snapshot.");
        md.AppendLine();
    }
}
