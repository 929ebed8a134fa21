namespace Serving.LoadTests.Observation;

/// <summary>
/// Takes a measurement again while neighbours on the shared machine used more than <see cref="NoisyCores"/>, up to a
/// number of attempts, and keeps the quietest. Errors of every attempt are returned, so a retry never hides one.
/// </summary>
internal static class QuietestAttempt
{
    /// <summary>CPU used by other processes (cores' worth) above which a measurement is taken again.</summary>
    public const double NoisyCores = 0.25;

    /// <param name="attempts">At most this many measurements.</param>
    /// <param name="measure">One measurement.</param>
    /// <param name="otherCores">Neighbours' CPU during a measurement.</param>
    /// <param name="error">What makes a measurement untrustworthy, or null.</param>
    /// <param name="onAttempt">Called after each attempt (1-based), e.g. to print it.</param>
    public static async Task<(T Kept, IReadOnlyList<string> Errors)> MeasureAsync<T>(
        int attempts, Func<Task<T>> measure, Func<T, double> otherCores, Func<T, string?> error, Action<int, T> onAttempt)
        where T : class
    {
        T? kept = null;
        var errors = new List<string>();
        for (int attempt = 1; attempt <= attempts && (kept is null || otherCores(kept) > NoisyCores); attempt++)
        {
            var measured = await measure();
            if (error(measured) is { } e)
            {
                errors.Add(attempts > 1 ? $"attempt {attempt}: {e}" : e);
            }

            onAttempt(attempt, measured);
            if (kept is null || otherCores(measured) < otherCores(kept))
            {
                kept = measured;
            }
        }

        return (kept!, errors);
    }
}
