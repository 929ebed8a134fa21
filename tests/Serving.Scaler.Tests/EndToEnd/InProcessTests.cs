using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Hosting;
using Serving.Gateway.Routing;
using Serving.Gateway.Tests.Infrastructure;
using Serving.Scaler.Feed;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Scaler.Tests.EndToEnd;

/// <summary>The one-machine platform's wiring: a gateway and the scaler in one process sharing the in-memory store.</summary>
public sealed class InProcessTests
{
    [Fact]
    public async Task AGatewayAndTheScalerShareTheInMemoryStore()
    {
        const string revision = "local-predictor-00001";
        var store = new InMemoryMetricsStore();
        var gateway = GatewayHost.Build(
            new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
            b => b.Services.AddSingleton<IMetricsWriter>(store));
        await gateway.StartAsync();
        await using var scaler = await TestScaler.StartAsync(feed: store);
        try
        {
            gateway.Services.GetRequiredService<ServiceCatalog>().Set(Routes.Revision("local", revision, 0));
            await Eventually.HoldsAsync(() => scaler.Table.Count == 1, "the gateway's report reaches the scaler");
            using var stream = scaler.Client.StreamIsActive(TestScaler.Ref("local", revision));
            Assert.True(await stream.ResponseStream.MoveNext());
            Assert.False(stream.ResponseStream.Current.Result);

            using var http = new HttpClient { BaseAddress = gateway.Addresses().Inference };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/local:predict") { Content = new StringContent("{}") };
            request.Headers.Host = "local.default.example.com";
            using var cancel = new CancellationTokenSource();
            var held = http.SendAsync(request, cancel.Token);
            Assert.True(await stream.ResponseStream.MoveNext());
            Assert.True(stream.ResponseStream.Current.Result);
            Assert.True((await scaler.Client.IsActiveAsync(TestScaler.Ref("local", revision))).Result);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }
}
