using Serving.LoadTests.Observation;
using Serving.LoadTests.Snapshot;
using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Gateway;

/// <summary>Everything one <c>gateway</c> benchmark run measured, plus what the report needs to say how.</summary>
/// <param name="TunedGateway">The proxy comparison's target name for the gateway with the sweep's recommended settings, if any.</param>
/// <param name="Commands">How each server was started, as the report shows it.</param>
internal sealed record GatewayBenchResult(
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    MachineInfo Machine,
    GatewayBenchOptions Options,
    SnapshotResult? Snapshot,
    IReadOnlyList<KnobCheck> Knobs,
    SweepResult? Sweep,
    PhaseCells? Proxies,
    string? TunedGateway,
    IReadOnlyList<string> Commands,
    IReadOnlyList<string> WrkCommands)
{
    public const string Gateway = "gateway";

    /// <summary>The gateway with one socket event thread, like for like with nginx's single worker.</summary>
    public const string GatewayOneThread = "gateway, 1 I/O thread";

    /// <summary>The gateway with every request through YARP's forwarder (<c>--forwarder yarp</c>), one I/O thread.</summary>
    public const string GatewayYarpPath = "gateway, YARP path, 1 I/O thread";

    /// <summary>Gateway targets the proxy comparison reports against the targets, in order.</summary>
    public static readonly string[] GatewayTargets = [Gateway, GatewayOneThread, GatewayYarpPath];
    public const string Nginx = "nginx";
    public const string Go = "go";

    /// <summary>YARP's MapForwarder with nothing of the gateway's: the floor under the gateway on this machine.</summary>
    public const string Yarp = "yarp (bare)";

    public IEnumerable<ProxyCell> AllCells =>
        (Sweep?.First.Cells ?? []).Concat(Sweep?.Second?.Cells ?? []).Concat(Proxies?.Cells ?? []);
}
