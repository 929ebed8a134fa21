using Microsoft.AspNetCore.Hosting;

namespace Serving.Gateway.Hosting;

/// <summary>Where request code runs once a socket has data.</summary>
public enum IoMode
{
    /// <summary>
    /// On the socket's event thread, for both sides of the proxy: Kestrel's connections
    /// (<c>UnsafePreferInlineScheduling</c>) and the replica connections of <c>SocketsHttpHandler</c>
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>). The request path never blocks and does little work
    /// per request, so handing every read and write to a thread-pool worker costs more than it does: measured on two
    /// cores, context switches went from 1.7 to 0.3 per request and proxy CPU per request by about a third
    /// (loadtests/reports/gateway.md).
    /// </summary>
    Inline,

    /// <summary>.NET's default: socket completions are queued to the thread pool.</summary>
    ThreadPool,
}

/// <summary>Applies an <see cref="IoMode"/> to the process and to Kestrel.</summary>
internal static class IoScheduling
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>
    /// The socket engine reads its switches from the environment once, when the first socket is created, and has no
    /// runtimeconfig.json equivalent; so the host sets them before building anything. An explicit value set by the
    /// operator wins. With inline completions .NET starts one event thread per core; on a machine the gateway shares
    /// with its neighbours (measured: two cores, the load generator and the replica beside it) one thread avoids
    /// most of the preemptions between the gateway's own threads (context switches per request 0.33 to 0.03, proxy
    /// CPU per request about 7 % lower), at the price of the throughput of one core.
    /// </summary>
    public static void ApplyToProcess(GatewayOptions options)
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, options.Io == IoMode.Inline ? "1" : "0");
        }

        if (options.IoThreads is { } threads && Environment.GetEnvironmentVariable(ThreadCountVariable) is null)
        {
            Environment.SetEnvironmentVariable(ThreadCountVariable, threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static void ApplyToKestrel(IWebHostBuilder webHost, IoMode mode) =>
        webHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = mode == IoMode.Inline;
        });
}
