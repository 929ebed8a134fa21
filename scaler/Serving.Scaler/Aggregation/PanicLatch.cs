namespace Serving.Scaler.Aggregation;

/// <summary>
/// Knative's panic mode, applied to the value KEDA's HPA reads (it computes <c>ceil(value / target)</c>): normally the
/// stable window's average; when the panic window wants at least <c>threshold</c> times the replicas the stable one
/// does, the higher of both, never lower than earlier in the same panic, until a stable window passes without a new
/// trigger. KEDA does not say how many replicas are ready, so the stable window's want stands in for them.
/// </summary>
internal sealed class PanicLatch
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _since;
    private double _peak;

    public bool Panicking
    {
        get
        {
            lock (_lock)
            {
                return _since is not null;
            }
        }
    }

    public double Value(double stable, double panic, double target, double threshold, TimeSpan stableWindow, DateTimeOffset now)
    {
        double stableWant = Math.Max(1, Math.Ceiling((stable / target) - 1e-9));
        double panicWant = Math.Ceiling((panic / target) - 1e-9);
        lock (_lock)
        {
            if (panicWant / stableWant >= threshold)
            {
                _since = now;
            }
            else if (_since is { } since && now - since >= stableWindow)
            {
                (_since, _peak) = (null, 0);
            }

            if (_since is null)
            {
                return stable;
            }

            _peak = Math.Max(_peak, Math.Max(stable, panic));
            return _peak;
        }
    }
}
