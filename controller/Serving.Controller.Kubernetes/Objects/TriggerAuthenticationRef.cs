namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// A KEDA trigger's <c>authenticationRef</c>: a <c>TriggerAuthentication</c> in the ScaledObject's namespace or a
/// cluster-scoped <c>ClusterTriggerAuthentication</c>, whose authParams KEDA hands the external scaler's dialer.
/// </summary>
public sealed record TriggerAuthenticationRef(string Kind, string Name)
{
    public const string Namespaced = "TriggerAuthentication";
    public const string ClusterScoped = "ClusterTriggerAuthentication";

    /// <summary><c>NAME</c> (a TriggerAuthentication), <c>TriggerAuthentication/NAME</c> or <c>ClusterTriggerAuthentication/NAME</c>; null when not one of these.</summary>
    public static TriggerAuthenticationRef? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string kind = slash < 0 ? Namespaced : text[..slash];
        string name = text[(slash + 1)..];
        return kind is Namespaced or ClusterScoped && name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(name)
            ? new TriggerAuthenticationRef(kind, name)
            : null;
    }
}
