using Serving.Gateway.Auth;
using Serving.Gateway.Hosting;

namespace Serving.Gateway.Tests.Hosting;

/// <summary><c>--api-keys-secret [NAMESPACE/]NAME</c>: cluster mode only, one key store, a Secret's name.</summary>
public sealed class ApiKeysSecretOptionTests
{
    private const string Kubeconfig = "/proc/self/status"; // exists; the parser does not read it

    [Theory]
    [InlineData("gateway-api-keys", null, "gateway-api-keys")]
    [InlineData("serving-system/gateway-api-keys", "serving-system", "gateway-api-keys")]
    [InlineData("ns/keys.v2", "ns", "keys.v2")]
    public void A_Secret_is_named_with_or_without_its_namespace(string value, string? ns, string name)
    {
        var options = GatewayOptionsParser.Parse(["--kubeconfig", Kubeconfig, "--api-keys-secret", value]);

        Assert.Equal(new SecretName(ns, name), options.Auth.ApiKeysSecret);
        Assert.Null(options.Auth.ApiKeysFile);
        Assert.Equal(value, options.Auth.ApiKeysSecret!.ToString());
    }

    [Theory]
    [InlineData("--api-keys-secret keys", "--api-keys-secret is for cluster mode: add --kubernetes or --kubeconfig PATH")]
    [InlineData("--kubernetes --api-keys-secret keys --api-keys " + Kubeconfig, "--api-keys (a file) and --api-keys-secret (a Secret) are two key stores: give one")]
    [InlineData("--kubernetes --api-keys-secret a/b/c", "--api-keys-secret must be [NAMESPACE/]NAME (lowercase letters, digits, '-' and '.'), not 'a/b/c'")]
    [InlineData("--kubernetes --api-keys-secret Keys", "--api-keys-secret must be [NAMESPACE/]NAME (lowercase letters, digits, '-' and '.'), not 'Keys'")]
    [InlineData("--kubernetes --api-keys-secret ns/", "--api-keys-secret must be [NAMESPACE/]NAME (lowercase letters, digits, '-' and '.'), not 'ns/'")]
    public void Bad_uses_are_option_errors(string args, string message)
    {
        var error = Assert.Throws<GatewayOptionsException>(() => GatewayOptionsParser.Parse(args.Split(' ')));

        Assert.Equal(message, error.Message);
    }
}
