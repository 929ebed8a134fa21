namespace Serving.Runtime.Execution;

/// <summary>
/// The batch sizes a padded batch is rounded up to: powers of two below the max batch size, and the max itself, so
/// that a session sees a handful of shapes and pads at most a factor of two.
/// </summary>
internal sealed class BatchBuckets
{
    private readonly int[] _sizes;

    public BatchBuckets(int maxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        var sizes = new List<int>();
        for (int size = 1; size < maxBatchSize; size *= 2)
        {
            sizes.Add(size);
        }

        sizes.Add(maxBatchSize);
        _sizes = [.. sizes];
    }

    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>The smallest bucket holding <paramref name="rows"/>, or null when no bucket does (or there are no rows).</summary>
    public int? For(long rows)
    {
        foreach (int size in _sizes)
        {
            if (rows >= 1 && rows <= size)
            {
                return size;
            }
        }

        return null;
    }

    public override string ToString() => string.Join('/', _sizes);
}
