using System.Diagnostics;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>One request's outcome in a burst: how long after the burst began it was answered, and with what.</summary>
internal sealed record BurstAnswer(TimeSpan After, int Status, string Body)
{
    public bool Predicted => Status == 200 && Body == IrisRequest.Prediction;
}

/// <summary>Requests sent through a gateway all at once (each on its own connection), every one waited for.</summary>
internal static class GatewayBurst
{
    public static async Task<IReadOnlyList<BurstAnswer>> SendAsync(Uri gateway, string host, string path, int count, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = timeout };
        var clock = Stopwatch.StartNew();
        return await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(async () =>
        {
            using var request = IrisRequest.To(host, path);
            try
            {
                using var response = await http.SendAsync(request);
                string body = await response.Content.ReadAsStringAsync();
                return new BurstAnswer(clock.Elapsed, (int)response.StatusCode, body);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return new BurstAnswer(clock.Elapsed, 0, $"{e.GetType().Name}: {e.Message}");
            }
        })));
    }
}
