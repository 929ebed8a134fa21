using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Serving.Gateway.Auth.Jwt;

/// <summary>
/// Checks a bearer token against a <see cref="AuthMode.Jwt"/> policy with Microsoft's <see cref="JsonWebTokenHandler"/>:
/// RS256 or ES256 only, signed by a key of the policy's JWKS, the policy's issuer, one of its audiences; then, on the
/// gateway's clock, within <c>exp</c>/<c>nbf</c> give or take the clock skew (<c>exp</c> required); then the claims the
/// policy requires.
/// </summary>
internal sealed class JwtValidator(JwksCache jwks, AuthOptions options, TimeProvider time)
{
    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async ValueTask<AuthVerdict> ValidateAsync(AuthPolicy policy, string token, CancellationToken cancellationToken)
    {
        JsonWebToken jwt;
        try
        {
            jwt = Handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return new(AuthFailure.Malformed);
        }

        if (!Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return new(AuthFailure.Algorithm); // "none" and HMAC included: refused before any key is looked at
        }

        var keys = await jwks.GetAsync(policy.Jwks!, string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid, cancellationToken);
        if (keys.Keys is null)
        {
            return new(AuthFailure.Unavailable, $"its JWKS {keys.Error}");
        }

        var result = await Handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = policy.Issuer,
            ValidAudiences = policy.Audiences,
            IssuerSigningKeys = keys.Keys,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,
            ValidateLifetime = false, // below, on the injected clock (the handler's TimeProvider is not public in 8.x)
        });
        if (!result.IsValid)
        {
            return new(FailureOf(result.Exception));
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (jwt.ValidTo == DateTime.MinValue)
        {
            return new(AuthFailure.NoExpiry);
        }

        if (now > jwt.ValidTo + options.ClockSkew)
        {
            return new(AuthFailure.Expired);
        }

        if (jwt.ValidFrom != DateTime.MinValue && now < jwt.ValidFrom - options.ClockSkew)
        {
            return new(AuthFailure.NotYetValid);
        }

        foreach (var claim in policy.Claims)
        {
            if (!jwt.Claims.Any(c => Holds(c, claim)))
            {
                return new(AuthFailure.MissingClaim, claim.ToString());
            }
        }

        return AuthVerdict.Admitted;
    }

    /// <summary>An array claim comes as one claim per element; OAuth's <c>scope</c>/<c>scp</c> may be one space-separated string.</summary>
    private static bool Holds(Claim claim, RequiredClaim required) =>
        claim.Type == required.Name
        && (claim.Value == required.Value
            || (required.Name is "scope" or "scp" && claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(required.Value, StringComparer.Ordinal)));

    private static AuthFailure FailureOf(Exception? exception) => exception switch
    {
        SecurityTokenInvalidAudienceException => AuthFailure.WrongAudience,
        SecurityTokenInvalidIssuerException => AuthFailure.WrongIssuer,
        SecurityTokenInvalidAlgorithmException => AuthFailure.Algorithm,
        SecurityTokenSignatureKeyNotFoundException => AuthFailure.UnknownSigningKey,
        SecurityTokenInvalidSignatureException => AuthFailure.BadSignature,
        _ => AuthFailure.Invalid,
    };
}
