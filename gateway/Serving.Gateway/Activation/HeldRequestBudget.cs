namespace Serving.Gateway.Activation;

/// <summary>The gateway-wide cap on held requests, shared by every revision's queue.</summary>
public sealed class HeldRequestBudget(int limit)
{
    private int _held;

    public int Held => Volatile.Read(ref _held);

    public bool TryTake()
    {
        if (Interlocked.Increment(ref _held) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _held);
        return false;
    }

    public void Return() => Interlocked.Decrement(ref _held);
}
