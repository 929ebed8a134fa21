using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Serving.Gateway.Auth;
using Serving.Gateway.Auth.Jwt;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Auth;

/// <summary>Bearer tokens against a jwt policy, with keys and tokens generated here: each way a token can fail has its own reason.</summary>
public sealed class JwtValidatorTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TestTokens _issuer = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly AuthOptions _options = new() { ClockSkew = TimeSpan.FromSeconds(60), JwksTimeout = TimeSpan.FromMilliseconds(500) };

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task RS256_and_ES256_tokens_of_the_issuer_for_the_audience_are_admitted()
    {
        var policy = Policy(TestTokens.WriteFile(_issuer.Jwks()));

        Assert.Equal(AuthVerdict.Admitted, await ValidateAsync(policy, _issuer.Token(Now)));
        Assert.Equal(AuthVerdict.Admitted, await ValidateAsync(policy, _issuer.Token(Now, key: _issuer.EcKey)));
        Assert.Equal(AuthVerdict.Admitted, await ValidateAsync(policy, _issuer.Token(Now, audience: "other"))); // any audience listed
    }

    [Fact]
    public async Task Lifetime_is_checked_on_the_gateway_clock_with_its_skew()
    {
        var policy = Policy(TestTokens.WriteFile(_issuer.Jwks()));

        Assert.Equal(AuthFailure.Expired, (await ValidateAsync(policy, _issuer.Token(Now - TimeSpan.FromHours(2)))).Failure);
        Assert.Equal(AuthFailure.Expired, (await ValidateAsync(policy, _issuer.Token(Now, expiresIn: TimeSpan.FromSeconds(-61)))).Failure);
        Assert.True((await ValidateAsync(policy, _issuer.Token(Now, expiresIn: TimeSpan.FromSeconds(-59)))).IsAdmitted); // within the skew
        Assert.Equal(AuthFailure.NotYetValid, (await ValidateAsync(policy, _issuer.Token(Now, validIn: TimeSpan.FromMinutes(5)))).Failure);
        Assert.True((await ValidateAsync(policy, _issuer.Token(Now, validIn: TimeSpan.FromSeconds(59)))).IsAdmitted);
        Assert.Equal(AuthFailure.NoExpiry, (await ValidateAsync(policy, _issuer.Token(Now, withExpiry: false))).Failure);

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(61));
        Assert.Equal(AuthFailure.Expired, (await ValidateAsync(policy, _issuer.Token(Now))).Failure);
    }

    [Fact]
    public async Task Issuer_audience_signature_and_algorithm_are_each_refused_with_their_reason()
    {
        using var stranger = new TestTokens(rsaKid: "rsa-1"); // same kid, another key
        using var unknown = new TestTokens(rsaKid: "rsa-unknown");
        var policy = Policy(TestTokens.WriteFile(_issuer.Jwks()));

        Assert.Equal(AuthFailure.WrongIssuer, (await ValidateAsync(policy, _issuer.Token(Now, issuer: "https://evil.test"))).Failure);
        Assert.Equal(AuthFailure.WrongAudience, (await ValidateAsync(policy, _issuer.Token(Now, audience: "someone-else"))).Failure);
        Assert.Equal(AuthFailure.BadSignature, (await ValidateAsync(policy, stranger.Token(Now))).Failure);
        Assert.Equal(AuthFailure.UnknownSigningKey, (await ValidateAsync(policy, unknown.Token(Now))).Failure);
        Assert.Equal(AuthFailure.Algorithm, (await ValidateAsync(policy, TestTokens.Unsigned())).Failure);
        var hmac = new SymmetricSecurityKey(new byte[32]) { KeyId = "rsa-1" };
        Assert.Equal(AuthFailure.Algorithm, (await ValidateAsync(policy, _issuer.Token(Now, key: hmac, algorithm: SecurityAlgorithms.HmacSha256))).Failure);
        Assert.Equal(AuthFailure.Algorithm, (await ValidateAsync(policy, _issuer.Token(Now, algorithm: SecurityAlgorithms.RsaSha512))).Failure);
        Assert.Equal(AuthFailure.Malformed, (await ValidateAsync(policy, "not.a.jwt")).Failure);
        Assert.Equal(AuthFailure.Malformed, (await ValidateAsync(policy, "garbage")).Failure);
    }

    [Fact]
    public async Task A_valid_token_without_a_required_claim_is_forbidden_not_unauthenticated()
    {
        var policy = Policy(TestTokens.WriteFile(_issuer.Jwks())) with { Claims = [new("groups", "ml-team"), new("scope", "predict")] };
        var both = new Dictionary<string, object> { ["groups"] = new[] { "ops", "ml-team" }, ["scope"] = "read predict" };
        var noGroup = new Dictionary<string, object> { ["groups"] = new[] { "ops" }, ["scope"] = "predict" };
        var noScope = new Dictionary<string, object> { ["groups"] = "ml-team", ["scope"] = "predictions" };

        Assert.True((await ValidateAsync(policy, _issuer.Token(Now, claims: both))).IsAdmitted);
        Assert.Equal(new AuthVerdict(AuthFailure.MissingClaim, "groups=ml-team"), await ValidateAsync(policy, _issuer.Token(Now, claims: noGroup)));
        Assert.Equal(new AuthVerdict(AuthFailure.MissingClaim, "scope=predict"), await ValidateAsync(policy, _issuer.Token(Now, claims: noScope)));
        Assert.Equal(Serving.Gateway.Proxy.GatewayError.Forbidden, AuthFailures.ErrorOf(AuthFailure.MissingClaim));
    }

    [Theory]
    [InlineData(null, "its JWKS is not a file that exists")]
    [InlineData("{\"keys\": [", "its JWKS is not JSON: ")]
    [InlineData("[1, 2]", "its JWKS is not a JWKS (a JSON object with a \"keys\" array)")]
    [InlineData("{\"keys\": [{\"kty\": \"oct\", \"k\": \"AAAA\"}]}", "its JWKS holds no RSA or EC P-256 signing key (1 keys of other kinds or uses)")]
    public async Task A_JWKS_that_cannot_be_used_makes_tokens_uncheckable_and_says_why(string? content, string message)
    {
        string path = content is null ? Path.Combine(Path.GetTempPath(), "no-such-jwks-" + Guid.NewGuid().ToString("N")) : TestTokens.WriteFile(content);

        var verdict = await ValidateAsync(Policy(path), _issuer.Token(Now));

        Assert.Equal(AuthFailure.Unavailable, verdict.Failure);
        Assert.StartsWith(message, verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JWKS_URL_is_fetched_once_and_cached_and_fetched_again_for_a_new_kid()
    {
        var (server, policy) = await JwksServerAsync();
        await using var served = server;
        var validator = Validator();

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => validator.ValidateAsync(policy, _issuer.Token(Now), default).AsTask()));
        Assert.All(verdicts, v => Assert.True(v.IsAdmitted));
        Assert.Single(server.Headers); // one fetch, shared by the requests that waited for it

        using var rotated = new TestTokens(rsaKid: "rsa-2");
        string jwks = rotated.Jwks(rotated.RsaKey);
        server.Respond = _ => (200, jwks);
        Assert.Equal(AuthFailure.UnknownSigningKey, (await validator.ValidateAsync(policy, rotated.Token(Now), default)).Failure);
        Assert.Single(server.Headers); // not again within the retry interval of the last fetch

        _time.Advance(_options.JwksRetry);
        Assert.True((await validator.ValidateAsync(policy, rotated.Token(Now), default)).IsAdmitted); // unknown kid: fetched again
        Assert.Equal(2, server.Headers.Count);
        Assert.Equal(AuthFailure.UnknownSigningKey, (await validator.ValidateAsync(policy, new TestTokens(rsaKid: "rsa-3").Token(Now), default)).Failure);
        Assert.Equal(2, server.Headers.Count); // again only after the retry interval: a flood of strange kids cannot hammer the issuer
    }

    [Fact]
    public async Task A_JWKS_URL_that_does_not_answer_in_time_or_fails_is_a_503_reason_within_the_timeout()
    {
        await using var server = await TestBackend.StartAsync("jwks");
        server.Hold();
        var validator = Validator(TimeProvider.System);
        var clock = Stopwatch.StartNew();

        var verdict = await validator.ValidateAsync(Policy(server.Address + "/jwks.json"), _issuer.Token(DateTime.UtcNow), default);

        Assert.Equal(new AuthVerdict(AuthFailure.Unavailable, "its JWKS took longer than 0.5 s to load"), verdict);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(20)); // its own timeout, not a longer one

        await using var failing = await TestBackend.StartAsync("jwks-404");
        failing.Respond = _ => (404, "{}");
        // A timeout the answer cannot miss (a busy machine can take longer than 0.5 s over a first connection).
        validator = Validator(TimeProvider.System, _options with { JwksTimeout = TimeSpan.FromSeconds(30) });
        verdict = await validator.ValidateAsync(Policy(failing.Address + "/jwks.json"), _issuer.Token(DateTime.UtcNow), default);
        Assert.Equal(new AuthVerdict(AuthFailure.Unavailable, "its JWKS was answered with HTTP 404"), verdict);
    }

    [Fact]
    public async Task Keys_that_loaded_once_keep_serving_when_a_refresh_fails()
    {
        var (server, policy) = await JwksServerAsync();
        await using var served = server;
        var validator = Validator();
        Assert.True((await validator.ValidateAsync(policy, _issuer.Token(Now), default)).IsAdmitted);

        server.Respond = _ => (500, "{}");
        _time.Advance(_options.JwksRefresh);
        Assert.True((await validator.ValidateAsync(policy, _issuer.Token(_time.GetUtcNow().UtcDateTime), default)).IsAdmitted); // served by the old keys
        await Activation.ActivatorTests.WaitUntilAsync(() => server.Headers.Count == 2); // while they were fetched again
        Assert.True((await validator.ValidateAsync(policy, _issuer.Token(_time.GetUtcNow().UtcDateTime), default)).IsAdmitted);
    }

    /// <summary>A loopback server answering the issuer's JWKS, and a policy that fetches it.</summary>
    private async Task<(TestBackend Server, AuthPolicy Policy)> JwksServerAsync()
    {
        var server = await TestBackend.StartAsync("jwks");
        string jwks = _issuer.Jwks();
        server.Respond = _ => (200, jwks);
        return (server, Policy(server.Address + "/jwks.json"));
    }

    private static AuthPolicy Policy(string jwks) => new()
    {
        Mode = AuthMode.Jwt,
        Issuer = TestTokens.Issuer,
        Audiences = [TestTokens.Audience, "other"],
        Jwks = jwks,
    };

    private ValueTask<AuthVerdict> ValidateAsync(AuthPolicy policy, string token) => Validator().ValidateAsync(policy, token, default);

    private JwtValidator Validator(TimeProvider? time = null, AuthOptions? options = null) =>
        new(new JwksCache(options ?? _options, time ?? _time, NullLogger<JwksCache>.Instance), options ?? _options, time ?? _time);
}
