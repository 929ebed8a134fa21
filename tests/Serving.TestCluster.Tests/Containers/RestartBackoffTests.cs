using Serving.TestCluster.Containers;

namespace Serving.TestCluster.Tests.Containers;

public sealed class RestartBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void First_restart_is_immediate_then_the_wait_doubles_up_to_the_cap()
    {
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.Zero, backoff.Remaining(T0, T0));
        backoff.Next(T0);

        var waits = new List<double>();
        var now = T0;
        for (int crash = 0; crash < 7; crash++)
        {
            var wait = backoff.Remaining(now, now);
            waits.Add(wait.TotalSeconds);
            now += wait;
            backoff.Next(now);
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300], waits);
    }

    [Fact]
    public void The_wait_counts_from_when_the_container_finished()
    {
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        backoff.Next(T0);
        Assert.Equal(TimeSpan.FromSeconds(6), backoff.Remaining(T0, T0.AddSeconds(4)));
        Assert.Equal(TimeSpan.Zero, backoff.Remaining(T0, T0.AddSeconds(11)));
    }

    [Fact]
    public void A_container_quiet_for_twice_the_cap_starts_over()
    {
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        backoff.Next(T0);
        backoff.Next(T0.AddSeconds(10));
        var later = T0.AddMinutes(11);
        Assert.Equal(TimeSpan.Zero, backoff.Remaining(later, later));
        backoff.Next(later);
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Current);
    }
}
