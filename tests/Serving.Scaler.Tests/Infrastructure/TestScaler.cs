using Externalscaler;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serving.Scaler.Aggregation;
using Serving.Scaler.Feed;
using Serving.Scaler.Hosting;

namespace Serving.Scaler.Tests.Infrastructure;

/// <summary>A real scaler host on a free loopback port, with a KEDA-side gRPC client.</summary>
internal sealed class TestScaler : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private TestScaler(WebApplication app)
    {
        _app = app;
        Address = app.ScalerAddress();
        _channel = GrpcChannel.ForAddress(Address);
        Client = new ExternalScaler.ExternalScalerClient(_channel);
    }

    public Uri Address { get; }

    public ExternalScaler.ExternalScalerClient Client { get; }

    public GrpcChannel Channel => _channel;

    internal RevisionTable Table => _app.Services.GetRequiredService<RevisionTable>();

    public static async Task<TestScaler> StartAsync(Func<ScalerOptions, ScalerOptions>? options = null, IMetricsReader? feed = null)
    {
        var baseOptions = new ScalerOptions { Port = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning };
        var app = ScalerHost.Build(options?.Invoke(baseOptions) ?? baseOptions, feed);
        await app.StartAsync();
        return new TestScaler(app);
    }

    public static ScaledObjectRef Ref(string service, string? revision = null, params (string Key, string Value)[] extra)
    {
        var reference = new ScaledObjectRef { Name = $"{service}-so", Namespace = "default" };
        reference.ScalerMetadata.Add("scalerAddress", "127.0.0.1:9090");
        reference.ScalerMetadata.Add("inferenceService", service);
        reference.ScalerMetadata.Add("component", "predictor");
        if (revision is not null)
        {
            reference.ScalerMetadata.Add("revision", revision);
        }

        foreach (var (key, value) in extra)
        {
            reference.ScalerMetadata[key] = value;
        }

        return reference;
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
