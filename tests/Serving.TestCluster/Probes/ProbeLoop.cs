using k8s.Models;

namespace Serving.TestCluster.Probes;

/// <summary>
/// Runs one probe for one container run with Kubernetes' semantics: the first attempt after initialDelaySeconds, then
/// one every periodSeconds, each bounded by timeoutSeconds (a timeout is a failure); the result flips to success after
/// successThreshold consecutive successes and to failure after failureThreshold consecutive failures.
/// </summary>
internal static class ProbeLoop
{
    /// <param name="onResult">Called each time the result changes (first call: the first settled result).</param>
    /// <param name="stopAfterSuccess">Startup probes stop once they have succeeded.</param>
    public static async Task RunAsync(
        V1Probe probe,
        Func<CancellationToken, Task<bool>> check,
        Action<bool> onResult,
        bool stopAfterSuccess,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        int successThreshold = Math.Max(1, probe.SuccessThreshold ?? 1);
        int failureThreshold = Math.Max(1, probe.FailureThreshold ?? 3);
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)), time, cancellationToken).ConfigureAwait(false);

        int successes = 0;
        int failures = 0;
        bool? result = null;
        while (true)
        {
            bool ok;
            using (var deadline = new CancellationTokenSource(timeout, time))
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
            {
                try
                {
                    ok = await check(attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    ok = false;
                }
            }

            if (ok)
            {
                failures = 0;
                if (++successes >= successThreshold && result != true)
                {
                    result = true;
                    onResult(true);
                    if (stopAfterSuccess)
                    {
                        return;
                    }
                }
            }
            else
            {
                successes = 0;
                if (++failures >= failureThreshold && result != false)
                {
                    result = false;
                    onResult(false);
                }
            }

            await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
