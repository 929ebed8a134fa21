namespace Serving.Gateway.Auth;

/// <summary>
/// The annotations that ask the gateway for auth on an InferenceService or InferenceGraph, and their reading. KServe has
/// none of its own (it leaves auth to Istio's RequestAuthentication and AuthorizationPolicy): these are ours, under
/// KServe's prefix so that they sit with the annotations users already write.
/// </summary>
public static class AuthAnnotations
{
    /// <summary><c>api-key</c>, <c>jwt</c>, or <c>none</c> (the same as absent).</summary>
    public const string Mode = "serving.kserve.io/auth";

    /// <summary>api-key: comma-separated names of the keys accepted; absent accepts every key of the gateway's store.</summary>
    public const string ApiKeys = "serving.kserve.io/auth-api-keys";

    /// <summary>jwt: the issuer (<c>iss</c>) tokens must carry.</summary>
    public const string JwtIssuer = "serving.kserve.io/auth-jwt-issuer";

    /// <summary>jwt: comma-separated audiences; a token's <c>aud</c> must name one.</summary>
    public const string JwtAudiences = "serving.kserve.io/auth-jwt-audiences";

    /// <summary>jwt: the signing keys, an http(s) URL of a JWKS or the path of a JWKS file on the gateway.</summary>
    public const string Jwks = "serving.kserve.io/auth-jwks";

    /// <summary>jwt: comma-separated <c>claim=value</c> a valid token must also carry (else 403).</summary>
    public const string JwtClaims = "serving.kserve.io/auth-jwt-claims";

    /// <summary><c>true</c> lets <c>Authorization</c> and <c>X-Api-Key</c> reach replicas; <c>false</c> (default) removes them.</summary>
    public const string ForwardCredentials = "serving.kserve.io/auth-forward-credentials";

    private const string Prefix = Mode + "-";

    private static readonly string[] Known = [ApiKeys, JwtIssuer, JwtAudiences, Jwks, JwtClaims, ForwardCredentials];
    private static readonly string[] JwtOnly = [JwtIssuer, JwtAudiences, Jwks, JwtClaims];

    /// <summary>
    /// The policy <paramref name="annotations"/> ask for, or null when they ask for none. Throws
    /// <see cref="AuthPolicyException"/> naming the annotation when they cannot be followed: a request must never be let
    /// through because a policy was misspelt.
    /// </summary>
    public static AuthPolicy? Read(IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is null)
        {
            return null;
        }

        var options = annotations.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (options.FirstOrDefault(k => !Known.Contains(k)) is { } unknown)
        {
            throw new AuthPolicyException($"unknown annotation {unknown} (known: {string.Join(", ", Known)})");
        }

        AuthMode mode;
        switch (annotations.GetValueOrDefault(Mode)?.Trim())
        {
            case null when options.Count > 0:
                throw new AuthPolicyException($"{options[0]} is set but {Mode} is not: set {Mode} to api-key or jwt (or none)");
            case null or "none":
                return null;
            case "api-key":
                mode = AuthMode.ApiKey;
                break;
            case "jwt":
                mode = AuthMode.Jwt;
                break;
            case var other:
                throw new AuthPolicyException($"{Mode}: unknown mode '{other}' (api-key, jwt or none)");
        }

        if (mode == AuthMode.ApiKey && options.FirstOrDefault(JwtOnly.Contains) is { } jwtOnly)
        {
            throw new AuthPolicyException($"{jwtOnly} applies to {Mode}: jwt, not api-key");
        }

        if (mode == AuthMode.Jwt && options.Contains(ApiKeys))
        {
            throw new AuthPolicyException($"{ApiKeys} applies to {Mode}: api-key, not jwt");
        }

        var policy = new AuthPolicy
        {
            Mode = mode,
            ApiKeys = List(annotations, ApiKeys),
            Issuer = annotations.GetValueOrDefault(JwtIssuer)?.Trim(),
            Audiences = List(annotations, JwtAudiences),
            Jwks = annotations.GetValueOrDefault(Jwks)?.Trim(),
            Claims = [.. List(annotations, JwtClaims).Select(Claim)],
            ForwardCredentials = annotations.GetValueOrDefault(ForwardCredentials)?.Trim() switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new AuthPolicyException($"{ForwardCredentials} must be true or false, not '{other}'"),
            },
        };
        policy.Validate();
        return policy;
    }

    private static string[] List(IReadOnlyDictionary<string, string> annotations, string key) =>
        annotations.GetValueOrDefault(key)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private static RequiredClaim Claim(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && equals < text.Length - 1
            ? new RequiredClaim(text[..equals].Trim(), text[(equals + 1)..].Trim())
            : throw new AuthPolicyException($"{JwtClaims}: '{text}' is not claim=value");
    }
}
