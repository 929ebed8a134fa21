using System.Globalization;
using Serving.LoadTests.Server;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>
/// <c>serving-local</c> run as a user runs it (<c>./run.sh</c>): its own process, a manifest folder, a state folder and
/// loopback ports, driven only through the folder and its admin port. <see cref="Folders"/> and the ports survive a
/// restart, so a drill can start the same platform again.
/// </summary>
internal sealed class PlatformProcess : IServingPlatform
{
    private readonly ServerProcess _process;

    private PlatformProcess(ServerProcess process, PlatformFolders folders, int port, int adminPort)
    {
        _process = process;
        Folders = folders;
        Gateway = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Admin = new AdminClient(new Uri($"http://127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    public PlatformFolders Folders { get; }

    public Uri Gateway { get; }

    public AdminClient Admin { get; }

    public int ProcessId => _process.ProcessId;

    public int GatewayProcessId => ProcessId;

    public bool HasExited => _process.HasExited;

    public string CommandLine => _process.Spec.CommandLine;

    public static Task<PlatformProcess> StartAsync(PlatformBuild build, PlatformFolders folders, CancellationToken cancellationToken) =>
        StartAsync(build, folders, FreePort.Next(), FreePort.Next(), [], cancellationToken);

    public static async Task<PlatformProcess> StartAsync(
        PlatformBuild build, PlatformFolders folders, int port, int adminPort, IReadOnlyList<string> extra, CancellationToken cancellationToken)
    {
        build.Require(build.Local, build.Runtime);
        var spec = new ProcessSpec("serving-local", "dotnet",
        [
            build.Local, "--manifests", folders.Manifests, "--runtime", build.Runtime, "--storage-root", folders.Root,
            "--state", folders.State, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--admin-port", adminPort.ToString(CultureInfo.InvariantCulture), "--scaler-port", "off", "--log-level", "Warning", .. extra,
        ]);
        var process = await ServerProcess.StartAsync(
            spec, new ReadyProbe(new Uri($"http://127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}/healthz")),
            folders.NextLog("serving-local"), TimeSpan.FromSeconds(60), cancellationToken);
        return new PlatformProcess(process, folders, port, adminPort);
    }

    /// <summary>The same platform started again on the same folders and ports.</summary>
    public Task<PlatformProcess> RestartAsync(PlatformBuild build, IReadOnlyList<string> extra, CancellationToken cancellationToken) =>
        StartAsync(build, Folders, Gateway.Port, Admin.Address.Port, extra, cancellationToken);

    /// <summary>Sends a signal to the platform process alone (not its children): TERM to stop it, KILL to drill a crash.</summary>
    public Task SignalAsync(string signal) => ShortCommand.RunAsync(
        new ProcessSpec("kill", "kill", [$"-{signal}", ProcessId.ToString(CultureInfo.InvariantCulture)]), TimeSpan.FromSeconds(5), CancellationToken.None);

    /// <summary>Waits up to <paramref name="limit"/> for the process to end; false if it is still there.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!_process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return _process.HasExited;
    }

    public Task<ServiceStatus?> StatusAsync(string name, CancellationToken cancellationToken) => Admin.StatusAsync(name, cancellationToken);

    /// <summary>serving-local watches its manifest folder: writing the file is applying it.</summary>
    public Task ApplyAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        manifest.WriteTo(Folders.Manifests);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>Where one scenario's platform keeps its manifests, state, models and logs.</summary>
internal sealed class PlatformFolders
{
    private int _logs;

    public PlatformFolders(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Manifests);
        Directory.CreateDirectory(Models);
        Directory.CreateDirectory(Logs);
    }

    public string Root { get; }

    public string Manifests => Path.Combine(Root, "manifests");

    public string State => Path.Combine(Root, "state");

    public string Models => Path.Combine(Root, "models");

    public string Logs => Path.Combine(Root, "logs");

    public string NextLog(string name) => Path.Combine(Logs, $"{name}-{Interlocked.Increment(ref _logs).ToString(CultureInfo.InvariantCulture)}.log");

    /// <summary>Copies a model folder under <see cref="Models"/>; returns its path relative to the storage root.</summary>
    public string AddModel(string name, string source)
    {
        string target = Path.Combine(Models, name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }

        return Path.Combine("models", name);
    }
}
