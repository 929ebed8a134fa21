using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Serving.TestCluster.Kube;

namespace Serving.TestCluster.Keda;

/// <summary>
/// KEDA's <c>resolveAuthRef</c> for the one source the stand-in serves: a <c>keda.sh/v1alpha1</c> TriggerAuthentication in
/// the ScaledObject's namespace, its <c>secretTargetRef</c> entries (parameter, Secret name, key) read from Secrets.
/// As in KEDA, a Secret or key that cannot be read gives an empty value. ClusterTriggerAuthentication (no CRD in the test
/// cluster) and the other sources (env, Vault, pod identity...) are not served.
/// </summary>
internal static class TriggerAuthentications
{
    public const string Kind = "TriggerAuthentication";
    public const string ClusterKind = "ClusterTriggerAuthentication";
    public const string Plural = "triggerauthentications";

    /// <summary>The authParams of the trigger's reference (empty without one).</summary>
    /// <exception cref="UnsupportedAuthenticationException">What KEDA would fail on, or what the stand-in does not serve.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> ResolveAsync(
        IKubernetes client, string ns, AuthenticationRef? reference, Action<string> secretUnreadable, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(client);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reference is null)
        {
            return parameters;
        }

        if (reference.Kind != Kind)
        {
            throw new UnsupportedAuthenticationException(reference.Kind == ClusterKind
                ? $"authenticationRef {ClusterKind}/{reference.Name}: not served by the KEDA stand-in (no ClusterTriggerAuthentication CRD in the test cluster)"
                : $"authenticationRef kind '{reference.Kind}' is unknown; expected {Kind} or {ClusterKind}");
        }

        JsonObject authentication;
        try
        {
            authentication = KedaStandIn.Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(
                KedaStandIn.Group, KedaStandIn.Version, ns, Plural, reference.Name, cancellationToken: stop));
        }
        catch (Exception e) when (e.Is(HttpStatusCode.NotFound))
        {
            throw new UnsupportedAuthenticationException($"error getting triggerAuth: {Kind} {ns}/{reference.Name} not found");
        }

        foreach (var target in authentication["spec"]?["secretTargetRef"]?.AsArray() ?? [])
        {
            string parameter = target?["parameter"]?.GetValue<string>() ?? "";
            string secret = target?["name"]?.GetValue<string>() ?? "";
            string key = target?["key"]?.GetValue<string>() ?? "";
            parameters[parameter] = await SecretValueAsync(client, ns, secret, key, secretUnreadable, stop);
        }

        return parameters;
    }

    private static async Task<string> SecretValueAsync(IKubernetes client, string ns, string name, string key, Action<string> unreadable, CancellationToken stop)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: stop);
            if (secret.Data?.TryGetValue(key, out byte[]? value) == true)
            {
                return Encoding.UTF8.GetString(value);
            }

            unreadable($"Secret {ns}/{name} has no key '{key}'");
        }
        catch (Exception e) when (e.Is(HttpStatusCode.NotFound))
        {
            unreadable($"Secret {ns}/{name} not found");
        }

        return "";
    }
}

/// <summary>A trigger's authentication the stand-in cannot use; the message says why.</summary>
internal sealed class UnsupportedAuthenticationException(string message) : Exception(message);
