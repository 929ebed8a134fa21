using Serving.Gateway.Auth;
using Serving.Gateway.Hosting;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Auth;

/// <summary>Keys files, policies and credentials for the gateway-level auth tests.</summary>
internal static class AuthFixture
{
    public const string TeamA = "team-a-key-0123456789";
    public const string Ci = "ci-key-0123456789abcdef";

    /// <summary>A keys file holding <c>team-a</c> and <c>ci</c>; returns its path.</summary>
    public static string KeysFile(string? text = null)
    {
        string path = Path.Combine(Path.GetTempPath(), "serving-auth-tests", Guid.NewGuid().ToString("N") + ".keys");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text ?? $"team-a:{TeamA}\nci:{Ci}\n");
        return path;
    }

    public static Func<GatewayOptions, GatewayOptions> Options(string forwarder, string? keysFile = null) => o => o with
    {
        Forwarder = forwarder == "yarp" ? ForwarderMode.Yarp : ForwarderMode.Direct,
        Auth = o.Auth with { ApiKeysFile = keysFile },
    };

    public static AuthPolicy ApiKeys(params string[] names) => new() { Mode = AuthMode.ApiKey, ApiKeys = names };

    public static AuthPolicy Jwt(string jwksFile, params RequiredClaim[] claims) => new()
    {
        Mode = AuthMode.Jwt,
        Issuer = TestTokens.Issuer,
        Audiences = [TestTokens.Audience],
        Jwks = jwksFile,
        Claims = claims,
    };

    public static KeyValuePair<string, string>[] Header(string name, string value) => [new(name, value)];

    public static string? Challenge(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Count == 0 ? null : string.Join(", ", response.Headers.GetValues("WWW-Authenticate"));

    public static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for a condition");
            await Task.Delay(50);
        }
    }

    /// <summary>Whether any request the replica saw carried a credential.</summary>
    public static bool SawCredentials(TestBackend replica) =>
        replica.Headers.Any(h => h.ContainsKey("Authorization") || h.ContainsKey("X-Api-Key"));
}
