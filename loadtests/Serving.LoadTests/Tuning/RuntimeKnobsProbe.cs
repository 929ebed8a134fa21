using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime;
using System.Text.Json;

namespace Serving.LoadTests.Tuning;

/// <summary>
/// <c>serving-loadtests runtime-knobs</c>: what the runtime actually does in this process, observed rather than read
/// back from configuration, so that an environment variable and a runtimeconfig.json property can be compared by effect.
/// Prints one JSON object.
/// </summary>
internal static class RuntimeKnobsProbe
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var observed = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["gcServer"] = GCSettings.IsServerGC,
            ["gen0GcsPerGiB"] = Gen0CollectionsPerGiB(),
            ["spinLimit"] = SemaphoreSpinLimit(),
            ["inlineSocketCompletions"] = await SocketContinuationIsInlineAsync(cancellationToken),
            ["tier1CompilationsPerHotMethod"] = await CompilationsPerHotMethodAsync(cancellationToken),
        };
        foreach (var (name, value) in GC.GetConfigurationVariables())
        {
            observed[$"gc.{name}"] = value;
        }

        Console.WriteLine(JsonSerializer.Serialize(observed));
        return 0;
    }

    /// <summary>Gen0 collections while allocating 1 GiB of short-lived small arrays: fewer with a larger gen0 budget.</summary>
    private static double Gen0CollectionsPerGiB()
    {
        const int Size = 4096;
        const long Total = 1L << 30;
        int before = GC.CollectionCount(0);
        object? keep = null;
        for (long allocated = 0; allocated < Total; allocated += Size)
        {
            keep = new byte[Size];
        }

        GC.KeepAlive(keep);
        return GC.CollectionCount(0) - before;
    }

    /// <summary>The thread pool's spin count before a worker sleeps (private: read by reflection, -1 when not found).</summary>
    private static int SemaphoreSpinLimit()
    {
        const BindingFlags Static = BindingFlags.Static | BindingFlags.NonPublic;
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;
        var workerThread = typeof(ThreadPool).Assembly.GetType("System.Threading.PortableThreadPool+WorkerThread");
        object? semaphore = workerThread?.GetField("s_semaphore", Static)?.GetValue(null);
        object? spin = semaphore?.GetType().GetField("_spinCount", Instance)?.GetValue(semaphore);
        return spin is int n ? n : -1;
    }

    /// <summary>
    /// Whether an awaited socket receive resumes on the socket engine's thread (inline completions) rather than on a
    /// thread-pool thread.
    /// </summary>
    private static async Task<bool> SocketContinuationIsInlineAsync(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
        using var server = await listener.AcceptAsync(cancellationToken);
        var buffer = new byte[1];
        int inline = 0;
        for (int i = 0; i < 5; i++)
        {
            // The byte is sent only after the receive is awaited, so that the receive completes asynchronously.
            var send = Task.Run(
                async () =>
                {
                    await Task.Delay(20, cancellationToken);
                    await client.SendAsync(new byte[] { 1 }, SocketFlags.None, cancellationToken);
                },
                cancellationToken);
            await server.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            inline += Thread.CurrentThread.IsThreadPoolThread ? 0 : 1;
            await send.ConfigureAwait(false);
        }

        return inline == 5;
    }

    /// <summary>
    /// JIT compilations per method for a set of hot methods after tiering settles: with TieredPGO a method that
    /// reaches tier 1 is compiled once more (an instrumented tier first).
    /// </summary>
    private static async Task<double> CompilationsPerHotMethodAsync(CancellationToken cancellationToken)
    {
        Func<int, int>[] hot = [.. Enumerable.Range(0, 64).Select(HotMethods.Make)];
        long before = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (int round = 0; round < 20; round++)
        {
            int sum = 0;
            foreach (var f in hot)
            {
                for (int i = 0; i < 200; i++)
                {
                    sum += f(i);
                }
            }

            GC.KeepAlive(sum);
            await Task.Delay(50, cancellationToken);
        }

        return (System.Runtime.JitInfo.GetCompiledMethodCount() - before) / (double)hot.Length;
    }
}
