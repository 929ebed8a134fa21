namespace Serving.Gateway.Balancing;

/// <summary>Picks the ready replica with the fewest requests in flight, never past the per-replica limit.</summary>
internal static class LeastInFlight
{
    /// <param name="avoid">A replica not to pick (one that just refused a connection).</param>
    public static Replica? TryTake(Replica[] replicas, int limit, Replica? avoid = null)
    {
        // A lost race (another request took the last slot) is retried on the new counts.
        for (int attempt = 0; attempt < 4; attempt++)
        {
            Replica? best = null;
            int bestLoad = int.MaxValue;
            foreach (var replica in replicas)
            {
                int load = replica.InFlight;
                if (replica.Ready && load < limit && load < bestLoad && replica != avoid)
                {
                    best = replica;
                    bestLoad = load;
                }
            }

            if (best is null)
            {
                return null;
            }

            if (best.TryTake(limit))
            {
                return best;
            }
        }

        return null;
    }
}
