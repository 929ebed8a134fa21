using System.Diagnostics;

namespace Serving.TestCluster.Tests.Infrastructure;

/// <summary>Polls until a condition holds, within a deadline; the failure names what was last seen.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(timeout);
        T last = await read();
        while (!done(last))
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{what}: not within {timeout.TotalSeconds:0} s; last seen: {Describe(last)}");
            }

            await Task.Delay(Interval, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            last = await read();
        }

        return last;
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "nothing",
        string text => text,
        _ => k8s.KubernetesJson.Serialize(value),
    };
}
