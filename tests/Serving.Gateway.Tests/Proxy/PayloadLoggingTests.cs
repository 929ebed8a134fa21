using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Proxy;

/// <summary>Payloads never reach the gateway's logs, at any level, unless --log-payloads asks for it.</summary>
public sealed class PayloadLoggingTests
{
    private const string Marker = "MARKER-7f3a9c";

    [Theory]
    [InlineData(ForwarderMode.Direct, false)]
    [InlineData(ForwarderMode.Yarp, false)]
    [InlineData(ForwarderMode.Direct, true)]
    public async Task A_marker_payload_appears_in_no_log_line_at_Trace(ForwarderMode mode, bool logPayloads)
    {
        int served = 0;
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            // Answers in turn: the marker in a good body, then in a malformed head (the gateway refuses it and logs why).
            string answer = Interlocked.Increment(ref served) % 2 == 1
                ? RawBackend.Ok($"{{\"echo\":\"{Marker}\"}}")
                : $"HTTP/1.1 200 OK\r\nX-Bad {Marker}\r\nContent-Length: 2\r\n\r\n{{}}";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(answer));
            return false;
        });
        var lines = new ConcurrentQueue<string>();
        var app = GatewayHost.Build(new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = LogLevel.Trace, Forwarder = mode, LogPayloads = logPayloads },
            builder => builder.Logging.AddProvider(new CapturingProvider(lines)).AddFilter(_ => true));
        await app.StartAsync();
        try
        {
            app.Services.GetRequiredService<ServiceCatalog>().Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, true)));
            using var client = new HttpClient { BaseAddress = app.Addresses().Inference };
            for (int i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/iris:predict?q={Marker}") { Content = new StringContent($"{{\"instances\":[\"{Marker}\"]}}") };
                request.Headers.Host = "iris.default.example.com";
                request.Headers.TryAddWithoutValidation("X-Payload", Marker);
                using var response = await client.SendAsync(request);
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Assert.NotEmpty(lines); // Trace logging was on and captured
        var quoting = lines.Where(l => l.Contains(Marker, StringComparison.Ordinal)).ToList();
        if (logPayloads)
        {
            Assert.NotEmpty(quoting); // the flag lets the malformed head be quoted: the scan would see a leak
        }
        else
        {
            Assert.True(quoting.Count == 0, string.Join("\n", quoting));
        }
    }

    /// <summary>Keeps every log line, formatted with its level, category and exception.</summary>
    internal sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {exception}");
        }
    }
}
