using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Serving.Scaler.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence, that a test can stop and start again on
/// the same port. <c>./test.sh</c> installs it (<c>scripts/redis.sh</c>); <c>SERVING_REDIS_SERVER</c> may name the binary.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        string binary = Environment.GetEnvironmentVariable("SERVING_REDIS_SERVER") ?? "redis-server";
        var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {binary} ({e.Message}): run scripts/redis.sh install (./test.sh does)", e);
        }

        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {Endpoint}");
    }

    /// <summary>Kills the server: every connection drops and every key is lost, as in a Redis crash.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The Redis shared by tests that do not stop it: <c>SERVING_TEST_REDIS</c> (host:port, set by <c>./test.sh</c>), or
/// one started for this test run. Tests keep apart by key prefix.
/// </summary>
public sealed class SharedRedis : IAsyncLifetime
{
    private RedisServer? _own;

    public string Endpoint { get; private set; } = "";

    public static string NewPrefix() => $"test-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("SERVING_TEST_REDIS") is { Length: > 0 } endpoint)
        {
            Endpoint = endpoint;
            return;
        }

        _own = await RedisServer.StartAsync();
        Endpoint = _own.Endpoint;
    }

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<SharedRedis>
{
    public const string Name = "redis";
}
