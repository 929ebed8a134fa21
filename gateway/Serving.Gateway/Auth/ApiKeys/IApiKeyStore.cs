using Serving.Gateway.Model;

namespace Serving.Gateway.Auth.ApiKeys;

/// <summary>
/// Where the gateway's API keys come from: a file on one machine (<see cref="ApiKeysFile"/>, <c>--api-keys</c>); in a
/// cluster, a Kubernetes Secret (<see cref="ApiKeysSecret"/>, <c>--api-keys-secret</c>). The policy and the request path
/// are the same for both.
/// Keys have names; a service's <see cref="AuthAnnotations.ApiKeys"/> lists the names it accepts.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>
    /// The name of the key <paramref name="presented"/> for a request to <paramref name="target"/> (a store may scope keys by
    /// namespace), compared by hash in constant time; or why the store cannot tell.
    /// </summary>
    ApiKeyLookup Find(ServiceKey target, ReadOnlySpan<char> presented);
}

/// <summary>The outcome of <see cref="IApiKeyStore.Find"/>: the key's name, none (no such key), or why the store has no keys to compare with.</summary>
public readonly record struct ApiKeyLookup(string? Name, string? Unavailable = null)
{
    public static readonly ApiKeyLookup NotFound = default;
}

/// <summary>The store of a gateway started without keys: a service that asks for API keys cannot be served (503), never served open.</summary>
internal sealed class NoApiKeys : IApiKeyStore
{
    public ApiKeyLookup Find(ServiceKey target, ReadOnlySpan<char> presented) =>
        new(null, "the gateway holds no API keys (start it with --api-keys FILE, or --api-keys-secret NAME in cluster mode)");
}
