using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Serving.Gateway.Auth;

/// <summary>
/// What a caller presented: <c>Authorization</c> and <c>X-Api-Key</c>, read without copying. Captured before the gateway
/// removes them, so that graph steps on protected services are checked with the graph caller's credentials.
/// </summary>
internal readonly struct Credentials(StringValues authorization, StringValues apiKey)
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static Credentials From(IHeaderDictionary headers) => new(headers.Authorization, headers[ApiKeyHeader]);

    /// <summary>Takes the credentials off a request, so that replicas do not see them.</summary>
    public static void Remove(IHeaderDictionary headers)
    {
        headers.Remove(HeaderNames.Authorization);
        headers.Remove(ApiKeyHeader);
    }

    /// <summary>The API key: <c>X-Api-Key</c>, else the <c>Authorization: Bearer</c> token. False when several were sent.</summary>
    public bool TryApiKey(out string? key)
    {
        if (apiKey.Count > 0)
        {
            key = apiKey.Count == 1 ? apiKey[0] : null;
            return apiKey.Count == 1;
        }

        return TryBearer(out key);
    }

    /// <summary>The <c>Authorization: Bearer</c> token, null when there is none (or another scheme). False when malformed or sent twice.</summary>
    public bool TryBearer(out string? token)
    {
        token = null;
        if (authorization.Count == 0)
        {
            return true;
        }

        string? value = authorization.Count == 1 ? authorization[0] : null;
        if (value is null)
        {
            return false;
        }

        const string Scheme = "Bearer ";
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return !value.Equals("Bearer", StringComparison.OrdinalIgnoreCase); // another scheme: no bearer token
        }

        token = value[Scheme.Length..].Trim();
        return token.Length > 0;
    }
}
