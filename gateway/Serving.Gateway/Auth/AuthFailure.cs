using System.Text;
using Serving.Gateway.Proxy;

namespace Serving.Gateway.Auth;

/// <summary>Why a request was refused; <see cref="AuthFailures"/> gives each its status, its words and its metric label in one place.</summary>
internal enum AuthFailure
{
    None,
    Missing,
    Malformed,
    UnknownKey,
    KeyNotAllowed,
    Algorithm,
    Expired,
    NotYetValid,
    NoExpiry,
    WrongIssuer,
    WrongAudience,
    UnknownSigningKey,
    BadSignature,
    Invalid,
    MissingClaim,
    Unavailable,
}

/// <summary>The outcome of checking a request's credentials; <see cref="Detail"/> adds to the failure's words (never a credential).</summary>
internal readonly record struct AuthVerdict(AuthFailure Failure, string? Detail = null)
{
    public static readonly AuthVerdict Admitted = new(AuthFailure.None);

    public bool IsAdmitted => Failure == AuthFailure.None;
}

internal static class AuthFailures
{
    private static readonly string[] Labels = [.. Enum.GetNames<AuthFailure>().Select(Snake)];

    /// <summary>401 for credentials missing or not valid, 403 for valid ones that are not enough, 503 when they cannot be checked.</summary>
    public static GatewayError ErrorOf(AuthFailure failure) => failure switch
    {
        AuthFailure.None => GatewayError.None,
        AuthFailure.KeyNotAllowed or AuthFailure.MissingClaim => GatewayError.Forbidden,
        AuthFailure.Unavailable => GatewayError.AuthUnavailable,
        _ => GatewayError.Unauthenticated,
    };

    /// <summary>The <c>reason</c> label of <c>gateway_auth_failures_total</c>: <c>expired</c>, <c>wrong_audience</c>…</summary>
    public static string Label(AuthFailure failure) => Labels[(int)failure];

    public static string Describe(AuthVerdict verdict, AuthMode mode) => verdict.Failure switch
    {
        AuthFailure.Missing => mode == AuthMode.ApiKey
            ? "an API key is required (X-Api-Key or Authorization: Bearer)"
            : "a bearer token is required (Authorization: Bearer)",
        AuthFailure.Malformed => verdict.Detail ?? "the token is not a well-formed JWT",
        AuthFailure.UnknownKey => "the API key is not valid",
        AuthFailure.KeyNotAllowed => "the API key is not allowed here",
        AuthFailure.Algorithm => "the token is not signed with RS256 or ES256",
        AuthFailure.Expired => "the token has expired",
        AuthFailure.NotYetValid => "the token is not valid yet",
        AuthFailure.NoExpiry => "the token has no expiry (exp)",
        AuthFailure.WrongIssuer => "the token's issuer is not accepted",
        AuthFailure.WrongAudience => "the token's audience is not accepted",
        AuthFailure.UnknownSigningKey => "the token is signed with a key the JWKS does not hold",
        AuthFailure.BadSignature => "the token's signature does not verify",
        AuthFailure.MissingClaim => $"the token lacks the claim {verdict.Detail}",
        AuthFailure.Unavailable => $"credentials cannot be checked: {verdict.Detail}",
        _ => "the token is not valid",
    };

    /// <summary>
    /// RFC 6750's challenge: no error code when nothing was sent, <c>invalid_token</c> for credentials that are not valid,
    /// <c>insufficient_scope</c> for valid ones that are not enough; none when they could not be checked (503).
    /// </summary>
    public static string? Challenge(AuthVerdict verdict, AuthMode mode, string realm) => ErrorOf(verdict.Failure) switch
    {
        GatewayError.AuthUnavailable => null,
        _ when verdict.Failure == AuthFailure.Missing => $"Bearer realm=\"{realm}\"",
        GatewayError.Forbidden => $"Bearer realm=\"{realm}\", error=\"insufficient_scope\", error_description=\"{Quotable(Describe(verdict, mode))}\"",
        _ => $"Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{Quotable(Describe(verdict, mode))}\"",
    };

    /// <summary>Printable ASCII without quotes or backslashes: what a quoted-string header parameter can hold as is.</summary>
    private static string Quotable(string text) =>
        string.Create(text.Length, text, static (span, text) =>
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                span[i] = c is '"' or '\\' ? '\'' : c is < ' ' or > '~' ? '?' : c;
            }
        });

    private static string Snake(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
