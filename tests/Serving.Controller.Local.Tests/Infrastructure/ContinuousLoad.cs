using System.Collections.Concurrent;
using System.Net;

namespace Serving.Controller.Local.Tests.Infrastructure;

/// <summary>Clients that keep sending V2 inferences to a service until stopped, counting what was served and what failed.</summary>
internal sealed class ContinuousLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients;
    private int _served;

    private ContinuousLoad(TestPlatform platform, string service, int clients)
    {
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var (status, _, _) = await platform.InferAsync(service, CancellationToken.None);
                if (status == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _served);
                }
                else
                {
                    Failures.Add(status);
                }
            }
        }))];
    }

    public int Served => Volatile.Read(ref _served);

    public ConcurrentBag<HttpStatusCode> Failures { get; } = [];

    public static ContinuousLoad Start(TestPlatform platform, string service, int clients) => new(platform, service, clients);

    /// <summary>Stops the clients once their requests in flight are answered.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
