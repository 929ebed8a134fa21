using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Proxy;

/// <summary>The one HTTP client to every replica: pooled keep-alive connections, no proxy, no cookies, no redirects.</summary>
public sealed class BackendClient : IDisposable
{
    public BackendClient(TimeSpan backendTimeout)
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
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
        });
        Config = new ForwarderRequestConfig { ActivityTimeout = backendTimeout };
    }

    public HttpMessageInvoker Invoker { get; }

    public ForwarderRequestConfig Config { get; }

    public void Dispose() => Invoker.Dispose();
}
