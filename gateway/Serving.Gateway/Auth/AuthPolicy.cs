namespace Serving.Gateway.Auth;

/// <summary>How callers of a service or graph prove who they are.</summary>
public enum AuthMode
{
    /// <summary>A key from the gateway's key store (<see cref="IApiKeyStore"/>), in <c>X-Api-Key</c> or <c>Authorization: Bearer</c>.</summary>
    ApiKey,

    /// <summary>A JWT in <c>Authorization: Bearer</c>, signed (RS256 or ES256) by a key of the policy's JWKS.</summary>
    Jwt,
}

/// <summary>
/// What an InferenceService or InferenceGraph asks of its callers, read from its annotations (<see cref="AuthAnnotations"/>)
/// and carried by its route. A route without one is open, as in KServe without an Istio AuthorizationPolicy.
/// </summary>
public sealed record AuthPolicy
{
    public required AuthMode Mode { get; init; }

    /// <summary>API keys: the names of the keys accepted; empty accepts every key the store holds.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>JWT: the <c>iss</c> a token must carry.</summary>
    public string? Issuer { get; init; }

    /// <summary>JWT: a token's <c>aud</c> must name one of these.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>JWT: where the signing keys are, an http(s) URL or a file path on the gateway.</summary>
    public string? Jwks { get; init; }

    /// <summary>JWT: claims a valid token must also carry, else 403.</summary>
    public IReadOnlyList<RequiredClaim> Claims { get; init; } = [];

    /// <summary>Whether the caller's <c>Authorization</c> and <c>X-Api-Key</c> headers reach replicas (and graph steps); off by default.</summary>
    public bool ForwardCredentials { get; init; }

    /// <summary>Throws <see cref="AuthPolicyException"/> naming what a policy of its mode lacks.</summary>
    public void Validate()
    {
        if (Mode == AuthMode.Jwt)
        {
            Require(Issuer, AuthAnnotations.JwtIssuer, "the issuer tokens must carry");
            Require(Audiences.Count > 0 ? "set" : null, AuthAnnotations.JwtAudiences, "the audiences a token may name");
            Require(Jwks, AuthAnnotations.Jwks, "the URL or file of the signing keys (JWKS)");
            if (Uri.TryCreate(Jwks, UriKind.Absolute, out var uri) && uri.Scheme is not ("http" or "https" or "file"))
            {
                throw new AuthPolicyException($"{AuthAnnotations.Jwks}: '{Jwks}' is neither an http(s) URL nor a file path");
            }
        }
    }

    private static void Require(string? value, string annotation, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new AuthPolicyException($"{AuthAnnotations.Mode}: jwt needs {annotation} ({what})");
        }
    }
}

/// <summary>A claim a token must carry: equal to <see cref="Value"/>, or holding it (a JSON array; a space-separated <c>scope</c>/<c>scp</c>).</summary>
public sealed record RequiredClaim(string Name, string Value)
{
    public override string ToString() => $"{Name}={Value}";
}

/// <summary>An auth policy that cannot be used as written; the message names the annotation and what is wrong.</summary>
public sealed class AuthPolicyException(string message) : Exception(message);
