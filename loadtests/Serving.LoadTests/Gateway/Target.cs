using Serving.LoadTests.Server;
using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// One thing under load: <paramref name="Url"/> is what wrk posts to, <paramref name="Process"/> the proxy whose CPU is
/// measured (null for the backend reached directly), <paramref name="Metrics"/> the gateway's admin <c>/metrics</c>.
/// </summary>
internal sealed record Target(string Name, TargetKind Kind, Uri Url, ServerProcess? Process, Uri? Metrics, TuningVariant? Variant)
{
    public const string Direct = "direct";

    public long CpuTicks() => Process?.CpuTicks() ?? 0;
}
