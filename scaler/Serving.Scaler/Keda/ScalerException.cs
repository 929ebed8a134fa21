using Grpc.Core;

namespace Serving.Scaler.Keda;

/// <summary>Why the scaler cannot answer; <see cref="ScalerErrors"/> turns each into a gRPC status.</summary>
public enum ScalerError
{
    /// <summary>The ScaledObjectRef or its metadata is wrong; the message names the key.</summary>
    InvalidMetadata,

    /// <summary>No gateway reports the InferenceService, component or revision named.</summary>
    UnknownTarget,

    /// <summary>GetMetrics asked for a metric this ScaledObject does not have.</summary>
    UnknownMetric,

    /// <summary>The metrics feed has been unreachable for longer than the staleness bound.</summary>
    Stale,
}

public sealed class ScalerException(ScalerError error, string message) : Exception(message)
{
    public ScalerError Error { get; } = error;
}

/// <summary>The one place scaler errors become gRPC statuses. KEDA treats any error as "do not scale to zero".</summary>
internal static class ScalerErrors
{
    public static RpcException ToRpc(ScalerException e) => new(new Status(
        e.Error switch
        {
            ScalerError.InvalidMetadata => StatusCode.InvalidArgument,
            ScalerError.UnknownTarget => StatusCode.NotFound,
            ScalerError.UnknownMetric => StatusCode.NotFound,
            ScalerError.Stale => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        },
        e.Message));
}
