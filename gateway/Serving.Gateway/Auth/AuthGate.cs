using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Auth.ApiKeys;
using Serving.Gateway.Auth.Jwt;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Gateway.Proxy;

namespace Serving.Gateway.Auth;

/// <summary>
/// Where requests for a protected InferenceService or InferenceGraph are let in or refused, before anything else is done
/// for them (no replica is woken, no load is counted, no graph step runs): 401 for credentials missing or not valid, 403
/// for valid ones that are not enough, 503 when they cannot be checked (the keys or JWKS cannot be loaded), each counted
/// in <c>gateway_auth_failures_total</c>. Admitted requests lose their credentials unless the policy forwards them.
/// </summary>
internal sealed partial class AuthGate(IApiKeyStore keys, JwtValidator tokens, GatewayMetrics metrics, ILogger<AuthGate> logger)
{
    public const string ServiceKind = "InferenceService";
    public const string GraphKind = "InferenceGraph";

    /// <summary>Checks a request; returns 0 when it is admitted, else the status of the refusal written to it (499 when the client left meanwhile).</summary>
    public async ValueTask<int> AdmitAsync(HttpContext context, AuthPolicy policy, string kind, ServiceKey target)
    {
        var headers = context.Request.Headers;
        AuthVerdict verdict;
        try
        {
            verdict = await CheckAsync(policy, kind, target, Credentials.From(headers), context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return GatewayErrors.ClientClosedRequest; // it left while its JWKS loaded
        }

        if (verdict.IsAdmitted)
        {
            if (!policy.ForwardCredentials)
            {
                Credentials.Remove(headers);
            }

            return 0;
        }

        string realm = target.ToString();
        return await GatewayErrors.WriteAsync(
            context,
            AuthFailures.ErrorOf(verdict.Failure),
            $"{kind} {realm}: {AuthFailures.Describe(verdict, policy.Mode)}",
            authenticate: AuthFailures.Challenge(verdict, policy.Mode, realm));
    }

    /// <summary>Checks <paramref name="credentials"/> against <paramref name="policy"/>; a refusal is counted and logged (never a credential).</summary>
    public async ValueTask<AuthVerdict> CheckAsync(AuthPolicy policy, string kind, ServiceKey target, Credentials credentials, CancellationToken cancellationToken)
    {
        var verdict = policy.Mode == AuthMode.ApiKey
            ? CheckKey(policy, target, credentials)
            : await CheckTokenAsync(policy, credentials, cancellationToken);
        if (!verdict.IsAdmitted)
        {
            string reason = AuthFailures.Label(verdict.Failure);
            metrics.AuthFailures.WithLabels(target.Namespace, target.Name, kind, reason).Inc();
            if (verdict.Failure == AuthFailure.Unavailable)
            {
                LogUnavailable(logger, kind, target.ToString(), verdict.Detail);
            }
            else
            {
                LogRefused(logger, kind, target.ToString(), reason);
            }
        }

        return verdict;
    }

    /// <summary>A refusal as a graph step's answer: the status and <c>{"error"}</c> a direct caller would get.</summary>
    public static (GatewayError Error, string Message) Refusal(AuthVerdict verdict, AuthPolicy policy, string kind, ServiceKey target) =>
        (AuthFailures.ErrorOf(verdict.Failure), $"{kind} {target}: {AuthFailures.Describe(verdict, policy.Mode)}");

    private AuthVerdict CheckKey(AuthPolicy policy, ServiceKey target, Credentials credentials)
    {
        if (!credentials.TryApiKey(out string? presented))
        {
            return new(AuthFailure.Malformed, "more than one API key was sent");
        }

        if (presented is null)
        {
            return new(AuthFailure.Missing);
        }

        var found = keys.Find(target, presented);
        if (found.Unavailable is { } why)
        {
            return new(AuthFailure.Unavailable, why);
        }

        return found.Name is not { } name ? new(AuthFailure.UnknownKey)
            : policy.ApiKeys.Count > 0 && !policy.ApiKeys.Contains(name, StringComparer.Ordinal) ? new(AuthFailure.KeyNotAllowed)
            : AuthVerdict.Admitted;
    }

    private async ValueTask<AuthVerdict> CheckTokenAsync(AuthPolicy policy, Credentials credentials, CancellationToken cancellationToken)
    {
        if (!credentials.TryBearer(out string? token))
        {
            return new(AuthFailure.Malformed, "the Authorization header is not one 'Bearer <token>'");
        }

        return token is null ? new(AuthFailure.Missing) : await tokens.ValidateAsync(policy, token, cancellationToken);
    }

    [LoggerMessage(EventId = 54, Level = LogLevel.Debug, Message = "{Kind} {Target} refused a request: {Reason}")]
    private static partial void LogRefused(ILogger logger, string kind, string target, string reason);

    [LoggerMessage(EventId = 55, Level = LogLevel.Debug, Message = "{Kind} {Target} cannot check credentials: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string kind, string target, string? reason);
}
