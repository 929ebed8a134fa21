using Serving.LoadTests.Observation;
using Serving.LoadTests.Payloads;
using Serving.LoadTests.Server;
using Serving.LoadTests.Wrk;

namespace Serving.LoadTests.Runtime;

/// <summary>
/// One measured cell: a server configuration, a wire format and a concurrency. <see cref="Error"/> holds anything that
/// makes the number untrustworthy (non-200 responses, socket errors, a wrk or server failure); it is always reported.
/// </summary>
internal sealed record CellResult(
    ServerConfig Config,
    WireFormat Format,
    int Concurrency,
    int WrkThreads,
    WrkResult? Wrk,
    ServerWindow? Server,
    double ServerCores,
    double WrkCores,
    double MachineCores,
    string? Error)
{
    public double RequestsPerSecond => Wrk?.RequestsPerSecond ?? 0;

    public bool Failed => Error is not null;

    /// <summary>CPU used by neither the server nor wrk during the window: neighbours on a shared machine.</summary>
    public double OtherCores => Math.Max(0, MachineCores - ServerCores - (double.IsFinite(WrkCores) ? WrkCores : 0));
}
