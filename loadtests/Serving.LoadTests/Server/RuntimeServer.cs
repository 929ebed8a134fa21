namespace Serving.LoadTests.Server;

/// <summary>
/// A real <c>serving-runtime</c> process on a free loopback port, started with <c>dotnet serving-runtime.dll</c>.
/// Disposing kills it (and anything it started), so no server outlives its configuration.
/// </summary>
internal sealed class RuntimeServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly ServerProcess _process;

    private RuntimeServer(ServerProcess process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.ProcessId;

    public static string CommandLine(string serverDll, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Prepend(serverDll).Prepend("dotnet"));

    public static async Task<RuntimeServer> StartAsync(
        string serverDll, ServerConfig config, string modelDir, string modelName, string logPath, CancellationToken cancellationToken)
    {
        int port = FreePort.Next();
        var address = new Uri($"http://127.0.0.1:{port}");
        var spec = new ProcessSpec("serving-runtime", "dotnet", [serverDll, .. config.Arguments(modelDir, modelName, port)]);
        var process = await ServerProcess.StartAsync(
            spec, new ReadyProbe(new Uri(address, "/v2/health/ready")), logPath, ReadyTimeout, cancellationToken);
        return new RuntimeServer(process, address);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
