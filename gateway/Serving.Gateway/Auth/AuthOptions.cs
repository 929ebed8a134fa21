namespace Serving.Gateway.Auth;

/// <summary>The gateway's side of auth: where API keys come from and how JWTs are checked. Policies come from annotations.</summary>
public sealed record AuthOptions
{
    /// <summary><c>--api-keys FILE</c>: named keys, reloaded on change (<see cref="ApiKeys.ApiKeysFile"/>); null = none.</summary>
    public string? ApiKeysFile { get; init; }

    /// <summary>
    /// <c>--api-keys-secret [NAMESPACE/]NAME</c> (cluster mode): named keys from one Kubernetes Secret, followed by a watch
    /// (<see cref="ApiKeys.ApiKeysSecret"/>); null = none.
    /// </summary>
    public SecretName? ApiKeysSecret { get; init; }

    /// <summary>How far a token's <c>exp</c> and <c>nbf</c> may be off the gateway's clock (Envoy's default).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long fetching a JWKS URL (or reading a file) may take before the request that waits for it gets 503.</summary>
    public TimeSpan JwksTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long loaded signing keys are used before they are fetched again (in the background; old keys serve meanwhile).</summary>
    public TimeSpan JwksRefresh { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How soon a JWKS that failed to load, or lacks a token's <c>kid</c>, is tried again: a bound on fetches under a flood.</summary>
    public TimeSpan JwksRetry { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>A Secret by name; <paramref name="Namespace"/> null: the gateway pod's namespace (<c>default</c> outside a pod).</summary>
public sealed record SecretName(string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
