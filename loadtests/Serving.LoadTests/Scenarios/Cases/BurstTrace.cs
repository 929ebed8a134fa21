using System.Diagnostics;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>The burst's first request as one trace, read back from the platform's trace file (filled in with tracing).</summary>
internal static class BurstTrace
{
    public static void AddSection(ScenarioRun run, ActivityTraceId traceId) => _ = (run, traceId);
}
