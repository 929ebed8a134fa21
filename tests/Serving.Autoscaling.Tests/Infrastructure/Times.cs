namespace Serving.Autoscaling.Tests.Infrastructure;

internal static class Times
{
    /// <summary>A whole second, so that bucket boundaries fall on whole seconds after it.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary><see cref="T0"/> plus a number of seconds, rounded to the tick (so that 0.1 x 30 is exactly 3 s).</summary>
    public static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
}
