namespace Serving.Gateway.Tests.Observability;

/// <summary>
/// Tests that listen to the gateway's activity source. A listener is process-wide, so these run alone: other tests'
/// gateways must not trace meanwhile, and these must not see their spans.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "tracing";
}
