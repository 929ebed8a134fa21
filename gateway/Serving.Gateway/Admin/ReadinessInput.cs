namespace Serving.Gateway.Admin;

/// <summary>
/// Something <c>/readyz</c> waits for: a source's first read (the cluster's routes, the API-key Secret). Each is
/// registered as a service; the gateway is ready once every one has completed, and until then says what it waits for.
/// </summary>
/// <param name="Waiting">What <c>/readyz</c> says while <paramref name="Done"/> has not completed.</param>
internal sealed record ReadinessInput(string Waiting, Task Done);
