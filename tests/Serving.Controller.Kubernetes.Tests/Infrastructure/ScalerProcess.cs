using System.Globalization;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// A real <c>serving-scaler</c> process reading the gateways' feed from Redis, on a loopback port fixed for its lifetime
/// so that it can be stopped and started again where KEDA (or its stand-in) dials it.
/// </summary>
internal sealed class ScalerProcess : IAsyncDisposable
{
    private readonly string _redis;
    private readonly string _prefix;
    private readonly IReadOnlyList<string> _extraArgs;
    private ServingProcess? _process;
    private string _earlier = "";

    private ScalerProcess(int port, string redis, string prefix, IReadOnlyList<string> extraArgs)
    {
        Port = port;
        _redis = redis;
        _prefix = prefix;
        _extraArgs = extraArgs;
    }

    public int Port { get; }

    /// <summary><c>host:port</c>, as a ScaledObject's <c>scalerAddress</c> names it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Everything every start of it wrote.</summary>
    public string Output => _earlier + (_process?.Output ?? "");

    /// <param name="extraArgs">More options (e.g. <c>--tls-cert</c>), on every start.</param>
    public static async Task<ScalerProcess> StartAsync(string redis, string prefix, IReadOnlyList<string>? extraArgs = null)
    {
        var scaler = new ScalerProcess(Serving.Scaler.Tests.Infrastructure.RedisServer.FreePort(), redis, prefix, extraArgs ?? []);
        await scaler.StartAgainAsync();
        return scaler;
    }

    public async Task StartAgainAsync()
    {
        _process = await ServingProcess.StartAsync("serving-scaler.dll",
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--redis", _redis, "--redis-prefix", _prefix, "--log-level", "Information",
            .. _extraArgs,
        ]);
        await _process.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGTERM: the scaler completes its streams with OK and exits, as in a rolling update.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _earlier += _process.Output;
            _process = null;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
