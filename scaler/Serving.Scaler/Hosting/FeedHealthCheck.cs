using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serving.Scaler.Keda;

namespace Serving.Scaler.Hosting;

/// <summary>The gRPC health service says NOT_SERVING exactly when the RPCs would fail for stale metrics.</summary>
internal sealed class FeedHealthCheck(TargetQueries queries) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            queries.EnsureFresh(queries.Now);
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (ScalerException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
        }
    }
}
