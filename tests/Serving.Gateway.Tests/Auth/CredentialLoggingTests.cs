using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Auth;
using Serving.Gateway.Hosting;
using Serving.Gateway.Routing;
using Serving.Gateway.Tests.Infrastructure;
using Serving.Gateway.Tests.Proxy;
using static Serving.Gateway.Tests.Auth.AuthFixture;

namespace Serving.Gateway.Tests.Auth;

/// <summary>Keys and tokens never reach the gateway's logs, at any level: refused, admitted, or in a keys file that does not parse.</summary>
public sealed class CredentialLoggingTests
{
    private const string Marker = "SECRET7e1d4b";

    [Fact]
    public async Task Keys_and_tokens_appear_in_no_log_line_at_Trace()
    {
        using var issuer = new TestTokens();
        string keys = KeysFile($"team-a:{TeamA}\n");
        var lines = new ConcurrentQueue<string>();
        var app = GatewayHost.Build(new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = LogLevel.Trace, Auth = new() { ApiKeysFile = keys } },
            builder => builder.Logging.AddProvider(new PayloadLoggingTests.CapturingProvider(lines)).AddFilter(_ => true));
        await app.StartAsync();
        await using var replica = await TestBackend.StartAsync("r1");
        try
        {
            var catalog = app.Services.GetRequiredService<ServiceCatalog>();
            catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = ApiKeys() });
            catalog.Set(Routes.Predictor("jwt", ("jwt-predictor-00001", 100, null, [replica])) with
            {
                Auth = Jwt(TestTokens.WriteFile(issuer.Jwks()), new RequiredClaim("groups", "admins")),
            });
            using var client = new HttpClient { BaseAddress = app.Addresses().Inference };
            var sent = new (string Host, string Header, string Value)[]
            {
                ("iris", "X-Api-Key", Marker + "-not-a-key"),
                ("iris", "Authorization", "Bearer " + Marker),
                ("iris", "X-Api-Key", TeamA),
                ("jwt", "Authorization", "Bearer " + Marker + ".x.y"),
                ("jwt", "Authorization", "Bearer " + issuer.Token(claims: new Dictionary<string, object> { ["sub"] = Marker })),
                ("jwt", "Authorization", "Bearer " + issuer.Token(claims: new Dictionary<string, object> { ["groups"] = "admins", ["sub"] = Marker })),
            };
            foreach (var (host, header, value) in sent)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/m:predict") { Content = new StringContent("{}") };
                request.Headers.Host = $"{host}.default.example.com";
                request.Headers.TryAddWithoutValidation(header, value);
                using var response = await client.SendAsync(request);
            }

            await File.WriteAllTextAsync(keys, $"team-b:{Marker}\n"); // too short: refused, and the message must not quote it
            await Activation.ActivatorTests.WaitUntilAsync(() => lines.Any(l => l.Contains("API keys file rejected", StringComparison.Ordinal)));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Assert.Contains(lines, l => l.Contains("refused a request", StringComparison.Ordinal)); // refusals were logged
        var quoting = lines.Where(l => l.Contains(Marker, StringComparison.Ordinal) || l.Contains(TeamA, StringComparison.Ordinal)).ToList();
        Assert.True(quoting.Count == 0, string.Join("\n", quoting));
    }
}
