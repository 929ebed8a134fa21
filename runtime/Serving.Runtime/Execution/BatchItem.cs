using Serving.Runtime.Tensors;

namespace Serving.Runtime.Execution;

/// <summary>One request waiting in the batch queue; completes with that request's slice of the batch outputs.</summary>
internal sealed class BatchItem(Tensor[] inputs, long enqueuedAt)
    : TaskCompletionSource<Tensor[]>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    /// <summary>The request's span when it is traced, and when it queued (wall clock, for the spans recorded after the Run).</summary>
    public (System.Diagnostics.ActivityContext Parent, DateTimeOffset At)? Trace { get; init; }

    public Tensor[] Inputs { get; } = inputs;

    public long Rows { get; } = inputs[0].Shape[0];

    public long EnqueuedAt { get; } = enqueuedAt;

    public bool IsDone => Task.IsCompleted;

    /// <summary>Stackable when every input has the same shape past the batch dimension.</summary>
    public bool FitsWith(BatchItem other)
    {
        for (int i = 0; i < Inputs.Length; i++)
        {
            if (!Inputs[i].Shape.AsSpan(1).SequenceEqual(other.Inputs[i].Shape.AsSpan(1)))
            {
                return false;
            }
        }

        return true;
    }
}
