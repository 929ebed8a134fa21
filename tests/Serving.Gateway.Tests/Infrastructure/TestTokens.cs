using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Serving.Gateway.Tests.Infrastructure;

/// <summary>
/// An issuer of the tests' own: an RSA and an EC P-256 key generated per instance, their JWKS (public parts only), and
/// tokens signed with them, as an identity provider would issue them.
/// </summary>
internal sealed class TestTokens : IDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "iris";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestTokens(string rsaKid = "rsa-1", string ecKid = "ec-1")
    {
        RsaKey = new RsaSecurityKey(_rsa) { KeyId = rsaKid };
        EcKey = new ECDsaSecurityKey(_ec) { KeyId = ecKid };
    }

    public RsaSecurityKey RsaKey { get; }

    public ECDsaSecurityKey EcKey { get; }

    /// <summary>The JWKS of both public keys (or of those given).</summary>
    public string Jwks(params SecurityKey[] keys)
    {
        var list = new JsonArray();
        foreach (var key in keys.Length > 0 ? keys : [RsaKey, EcKey])
        {
            list.Add(key switch
            {
                RsaSecurityKey rsa when rsa.Rsa.ExportParameters(false) is var p => new JsonObject
                {
                    ["kty"] = "RSA", ["kid"] = rsa.KeyId, ["use"] = "sig", ["alg"] = "RS256",
                    ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                },
                ECDsaSecurityKey ec when ec.ECDsa.ExportParameters(false) is var p => new JsonObject
                {
                    ["kty"] = "EC", ["kid"] = ec.KeyId, ["crv"] = "P-256",
                    ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
                },
                _ => throw new ArgumentException("RSA or EC keys only", nameof(keys)),
            });
        }

        return new JsonObject { ["keys"] = list }.ToJsonString();
    }

    /// <summary>A token valid for an hour from <paramref name="now"/> (default: the real clock), RS256 unless another key is given.</summary>
    public string Token(
        DateTime? now = null, string issuer = Issuer, string audience = Audience, TimeSpan? expiresIn = null, TimeSpan? validIn = null,
        SecurityKey? key = null, string? algorithm = null, IDictionary<string, object>? claims = null, bool withExpiry = true)
    {
        var issued = now ?? DateTime.UtcNow;
        var signing = key ?? RsaKey;
        var expires = issued + (expiresIn ?? TimeSpan.FromHours(1));
        var notBefore = issued + (validIn ?? TimeSpan.Zero);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = notBefore < expires || !withExpiry ? notBefore : expires - TimeSpan.FromHours(1),
            Expires = withExpiry ? expires : null,
            Claims = claims ?? new Dictionary<string, object> { ["sub"] = "tester" },
            SigningCredentials = new SigningCredentials(signing, algorithm ?? (signing is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256)),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) carrying valid claims.</summary>
    public static string Unsigned()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""));
        string payload = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{now + 3600}},"sub":"x"}"""));
        return $"{header}.{payload}.";
    }

    /// <summary>Writes <paramref name="jwks"/> to a new temporary file; returns its path.</summary>
    public static string WriteFile(string jwks)
    {
        string path = Path.Combine(Path.GetTempPath(), "serving-auth-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, jwks);
        return path;
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
    }
}
