using System.Text.Json.Nodes;
using Serving.Gateway.Auth;
using Serving.Gateway.Hosting;
using Serving.Gateway.Tests.Activation;
using Serving.Gateway.Tests.Infrastructure;
using static Serving.Gateway.Tests.Auth.AuthFixture;

namespace Serving.Gateway.Tests.Auth;

/// <summary>
/// Protected InferenceServices through a real gateway, on both forwarding paths: 401/403 with RFC 6750 challenges,
/// credentials kept from replicas, refusals that wake nothing, policies that cannot be loaded refusing rather than serving.
/// </summary>
public sealed class GatewayAuthTests
{
    private const string Host = "iris.default.example.com";
    private const string Path = "/v1/models/iris:predict";
    private const string Realm = "Bearer realm=\"default/iris\"";

    [Theory]
    [InlineData("direct")]
    [InlineData("yarp")]
    public async Task Api_keys_are_checked_and_never_reach_the_replica(string forwarder)
    {
        await using var gateway = await TestGateway.StartAsync(Options(forwarder, KeysFile()));
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = ApiKeys("team-a") });

        var (status, body, response) = await gateway.PostAsync(Host, Path, "{}");
        Assert.Equal(401, status);
        Assert.Equal("InferenceService default/iris: an API key is required (X-Api-Key or Authorization: Bearer)", (string?)JsonNode.Parse(body)!["error"]);
        Assert.Equal(Realm, Challenge(response));

        (status, _, response) = await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", "not-a-key-0123456789"));
        Assert.Equal(401, status);
        Assert.Equal($"{Realm}, error=\"invalid_token\", error_description=\"the API key is not valid\"", Challenge(response));

        (status, body, response) = await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", Ci)); // a key of the store, not listed
        Assert.Equal(403, status);
        Assert.Equal("InferenceService default/iris: the API key is not allowed here", (string?)JsonNode.Parse(body)!["error"]);
        Assert.Equal($"{Realm}, error=\"insufficient_scope\", error_description=\"the API key is not allowed here\"", Challenge(response));

        Assert.Equal(401, (await gateway.PostAsync("localhost", "/serving/default/iris" + Path, "{}")).Status); // the path form too
        Assert.Equal(0, replica.Served);

        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", TeamA))).Status);
        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Header("Authorization", "Bearer " + TeamA))).Status);
        Assert.Equal(200, (await gateway.PostAsync("localhost", "/serving/default/iris" + Path, "{}", Header("X-Api-Key", TeamA))).Status);
        Assert.Equal(3, replica.Served);
        Assert.False(SawCredentials(replica));

        string metrics = await gateway.AdminAsync("/metrics");
        foreach (string reason in new[] { "missing", "unknown_key", "key_not_allowed" })
        {
            Assert.Contains($"gateway_auth_failures_total{{namespace=\"default\",name=\"iris\",kind=\"InferenceService\",reason=\"{reason}\"}}", metrics, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("yarp")]
    public async Task Credentials_reach_the_replica_when_the_policy_forwards_them(string forwarder)
    {
        await using var gateway = await TestGateway.StartAsync(Options(forwarder, KeysFile()));
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = ApiKeys() with { ForwardCredentials = true } });

        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", Ci))).Status); // no names listed: any key of the store

        Assert.Equal(Ci, replica.Headers.Single()["X-Api-Key"].ToString());
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("yarp")]
    public async Task Bearer_tokens_are_validated_and_never_reach_the_replica(string forwarder)
    {
        using var issuer = new TestTokens();
        await using var gateway = await TestGateway.StartAsync(Options(forwarder));
        await using var replica = await TestBackend.StartAsync("r1");
        var policy = Jwt(TestTokens.WriteFile(issuer.Jwks()), new RequiredClaim("groups", "ml-team"));
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = policy });
        var member = new Dictionary<string, object> { ["groups"] = new[] { "ml-team" } };

        var (status, _, response) = await gateway.PostAsync(Host, Path, "{}");
        Assert.Equal((401, Realm), (status, Challenge(response)));

        (status, var body, response) = await gateway.PostAsync(Host, Path, "{}", Bearer(issuer.Token(DateTime.UtcNow - TimeSpan.FromHours(2), claims: member)));
        Assert.Equal(401, status);
        Assert.Equal("InferenceService default/iris: the token has expired", (string?)JsonNode.Parse(body)!["error"]);
        Assert.Equal($"{Realm}, error=\"invalid_token\", error_description=\"the token has expired\"", Challenge(response));

        (status, _, response) = await gateway.PostAsync(Host, Path, "{}", Bearer(issuer.Token(audience: "other", claims: member)));
        Assert.Equal($"{Realm}, error=\"invalid_token\", error_description=\"the token's audience is not accepted\"", Challenge(response));

        (status, _, response) = await gateway.PostAsync(Host, Path, "{}", Bearer(issuer.Token()));
        Assert.Equal(403, status);
        Assert.Equal($"{Realm}, error=\"insufficient_scope\", error_description=\"the token lacks the claim groups=ml-team\"", Challenge(response));
        Assert.Equal(0, replica.Served);

        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Bearer(issuer.Token(claims: member)))).Status);
        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Bearer(issuer.Token(key: issuer.EcKey, claims: member)))).Status);
        Assert.False(SawCredentials(replica));
        Assert.Contains("reason=\"missing_claim\"", await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_request_never_wakes_a_revision_nor_counts_as_its_load()
    {
        var signal = new RecordingSignal();
        await using var gateway = await TestGateway.StartAsync(Options("direct", KeysFile()), signal: signal);
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0) with { Auth = ApiKeys() }); // at zero replicas

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(401, (await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", "wrong-key-0123456789"))).Status);
        }

        var revision = gateway.Catalog.Revisions.Single();
        Assert.Empty(signal.Activations);
        Assert.Equal((0L, 0), (revision.Stats.Arrivals, gateway.Catalog.Held));

        var held = gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", TeamA)); // the same request with a key: held, wakes the revision
        await ActivatorTests.WaitUntilAsync(() => gateway.Catalog.Held == 1);
        Assert.Single(signal.Activations);
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = ApiKeys() });
        Assert.Equal(200, (await held).Status);
        Assert.Equal(1L, revision.Stats.Arrivals);
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("yarp")]
    public async Task A_service_whose_keys_cannot_be_loaded_refuses_every_request_with_503_and_why(string forwarder)
    {
        await using var gateway = await TestGateway.StartAsync(Options(forwarder)); // no --api-keys
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = ApiKeys() });
        gateway.Catalog.Set(Routes.Predictor("jwt", ("jwt-predictor-00001", 100, null, [replica])) with { Auth = Jwt(TestTokens.WriteFile("{\"keys\": ")) });
        using var issuer = new TestTokens();

        var (status, body, response) = await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", TeamA));
        Assert.Equal(503, status);
        Assert.Equal("InferenceService default/iris: credentials cannot be checked: the gateway holds no API keys (start it with --api-keys FILE, or --api-keys-secret NAME in cluster mode)", (string?)JsonNode.Parse(body)!["error"]);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());

        (status, body, _) = await gateway.PostAsync("jwt.default.example.com", "/", "{}", Bearer(issuer.Token()));
        Assert.Equal(503, status);
        Assert.StartsWith("InferenceService default/jwt: credentials cannot be checked: its JWKS is not JSON: ", (string?)JsonNode.Parse(body)!["error"], StringComparison.Ordinal);
        Assert.Equal(0, replica.Served);
        Assert.Contains("reason=\"unavailable\"", await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_keys_file_is_reloaded_on_change_and_a_version_that_does_not_parse_keeps_the_last_good_keys()
    {
        string file = KeysFile();
        await using var gateway = await TestGateway.StartAsync(Options("direct", file));
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])) with { Auth = ApiKeys() });
        const string Added = "added-key-0123456789";

        await File.WriteAllTextAsync(file, $"team-a:{TeamA}\nnew:{Added}\n");
        await UntilAsync(async () => (await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", Added))).Status == 200);
        Assert.Equal(401, (await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", Ci))).Status); // removed

        await File.WriteAllTextAsync(file, "this line has no name");
        await Task.Delay(500); // past the reload (100 ms after the change)
        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Header("X-Api-Key", Added))).Status);
    }

    [Fact]
    public void A_gateway_does_not_start_with_a_keys_file_it_cannot_read()
    {
        string bad = KeysFile("team-a:too-short\n");

        var error = Assert.Throws<GatewayOptionsException>(() => GatewayHost.Build(new GatewayOptions { Port = 0, AdminPort = 0, Auth = new() { ApiKeysFile = bad } }));
        Assert.Equal($"--api-keys: '{bad}': line 1: the key of 'team-a' has 9 characters; a key needs 16 to 1024, or sha256: and 64 hex digits", error.Message);

        var missing = Assert.Throws<GatewayOptionsException>(() => GatewayOptionsParser.Parse(["--api-keys", "/no/such/keys"]));
        Assert.Equal("--api-keys: file '/no/such/keys' does not exist", missing.Message);
        Assert.Equal(TimeSpan.FromSeconds(5), GatewayOptionsParser.Parse(["--jwt-clock-skew-s", "5"]).Auth.ClockSkew);
    }

    [Fact]
    public async Task An_open_service_pays_nothing_and_keeps_the_callers_headers()
    {
        await using var gateway = await TestGateway.StartAsync(Options("direct", KeysFile()));
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica])));

        Assert.Equal(200, (await gateway.PostAsync(Host, Path, "{}", Header("Authorization", "Bearer for-the-model"))).Status);

        Assert.Equal("Bearer for-the-model", replica.Headers.Single()["Authorization"].ToString()); // no policy: the gateway does not touch them
    }

    private static KeyValuePair<string, string>[] Bearer(string token) => Header("Authorization", "Bearer " + token);
}
