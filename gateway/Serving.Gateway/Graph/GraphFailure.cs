namespace Serving.Gateway.Graph;

/// <summary>
/// A graph that cannot produce a response, answered as KServe's router does: <paramref name="status"/> with
/// <c>{"error": "Failed to process request", "cause": message}</c>. KServe turns any failure below a step into 500 for
/// the node above; <paramref name="keepStatus"/> marks our own additions (a step timeout's 504) that keep their status.
/// </summary>
internal sealed class GraphFailure(int status, string message, bool keepStatus = false) : Exception(message)
{
    public int Status { get; } = status;

    public bool KeepStatus { get; } = keepStatus;
}

/// <summary>What a step or node answered: a status and the whole body (graph steps need the JSON).</summary>
internal readonly record struct StepResult(int Status, byte[] Body)
{
    public bool IsSuccess => Status is >= 200 and <= 299;
}
