using System.Net;
using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Proxy;

/// <summary>
/// The HTTP client to replicas for what does not take the direct path (<see cref="Http1.Http1Forwarder"/>): YARP's
/// forwarding and InferenceGraph steps. Pooled keep-alive connections, no proxy, no cookies, no redirects.
/// </summary>
public sealed class BackendClient : IDisposable
{
    public BackendClient(TimeSpan backendTimeout, int maxConnectionsPerReplica = int.MaxValue)
    {
        var sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            EnableMultipleHttp2Connections = true,
            // Trace context is not propagated by default: it costs CPU on every request.
            ActivityHeadersPropagator = null,
            // Header values travel as the bytes received (Kestrel decodes them as Latin-1), as on the direct path.
            RequestHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
            ResponseHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
            MaxConnectionsPerServer = maxConnectionsPerReplica,
        };
        Invoker = new HttpMessageInvoker(sockets);
        Forwarding = new HttpMessageInvoker(new SmallBodyCoalescing(sockets), disposeHandler: false);
        Config = new ForwarderRequestConfig { ActivityTimeout = backendTimeout };
    }

    /// <summary>For requests the gateway builds itself (graph steps).</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>For YARP's forwarder: small request bodies leave with their headers in one write.</summary>
    public HttpMessageInvoker Forwarding { get; }

    public ForwarderRequestConfig Config { get; }

    public void Dispose()
    {
        Forwarding.Dispose();
        Invoker.Dispose();
    }
}
