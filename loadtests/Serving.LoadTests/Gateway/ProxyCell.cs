using Serving.LoadTests.Wrk;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// One measured wrk window against one target at one concurrency, in one round of one phase. CPU figures are seconds
/// of CPU over the window, from <c>/proc</c>; <see cref="Error"/> holds anything that makes the numbers untrustworthy.
/// </summary>
/// <param name="InterruptSeconds">The machine's irq + softirq time: mostly the loopback network stack, charged to no process.</param>
/// <param name="CanaryShare">The gateway's share of 200s that went to the first revision (its own counters), else null.</param>
internal sealed record ProxyCell(
    string Phase,
    int Round,
    string Target,
    TargetKind Kind,
    int Concurrency,
    int WrkThreads,
    WrkResult? Wrk,
    double Seconds,
    double ProxyCpuSeconds,
    double BackendCpuSeconds,
    double WrkCpuSeconds,
    double SelfCpuSeconds,
    double MachineBusySeconds,
    double InterruptSeconds,
    double? CanaryShare,
    string? Error)
{
    public long Requests => Wrk?.Requests ?? 0;

    public double RequestsPerSecond => Wrk?.RequestsPerSecond ?? double.NaN;

    /// <summary>Proxy CPU per request, µs; not defined for the backend reached directly.</summary>
    public double UsPerRequest => Kind != TargetKind.Direct && Requests > 0 ? ProxyCpuSeconds * 1e6 / Requests : double.NaN;

    /// <summary>Requests served per second of the proxy's CPU: the efficiency figure, 1e6 ÷ <see cref="UsPerRequest"/>.</summary>
    public double RequestsPerCpuSecond => Kind != TargetKind.Direct && ProxyCpuSeconds > 0 ? Requests / ProxyCpuSeconds : double.NaN;

    public double BackendUsPerRequest => Requests > 0 ? BackendCpuSeconds * 1e6 / Requests : double.NaN;

    public double P50 => Wrk?.LatencyP50Us ?? double.NaN;

    public double P99 => Wrk?.LatencyP99Us ?? double.NaN;

    public double ProxyCores => ProxyCpuSeconds / Seconds;

    public double InterruptCores => InterruptSeconds / Seconds;

    /// <summary>
    /// CPU used by neither the proxy, the backend, wrk, this benchmark nor interrupts (the packets they exchange):
    /// neighbours on a shared machine.
    /// </summary>
    public double OtherCores => Seconds > 0
        ? Math.Max(0, (MachineBusySeconds - InterruptSeconds - ProxyCpuSeconds - BackendCpuSeconds - (double.IsFinite(WrkCpuSeconds) ? WrkCpuSeconds : 0) - SelfCpuSeconds) / Seconds)
        : double.NaN;

    public bool Failed => Error is not null;

    /// <summary>A cell whose target could not be started; it keeps the target's place in the report, with the reason.</summary>
    public static ProxyCell NotMeasured(string phase, int round, string target, TargetKind kind, int concurrency, string error) =>
        new(phase, round, target, kind, concurrency, 0, null, 0, 0, 0, double.NaN, 0, 0, 0, null, error);
}
