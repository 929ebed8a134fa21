using System.Net;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>A request that did not get the prediction: when the client sent it, and what it got.</summary>
internal sealed record LoadFailure(DateTime Sent, string What)
{
    public override string ToString() => $"{Sent:HH:mm:ss.fff} {What}";
}

/// <summary>
/// Clients that send V1 predictions through a gateway one after another until stopped, each answer counted: the load
/// under which routing changes must not fail a request.
/// </summary>
internal sealed class GatewayLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private readonly List<Task> _clients;
    private readonly List<LoadFailure> _failures = [];
    private int _succeeded;

    public GatewayLoad(Uri gateway, string host, int clients)
    {
        _http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => SendAsync(host)))];
    }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public IReadOnlyList<LoadFailure> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>Waits until <paramref name="more"/> further requests have succeeded.</summary>
    public async Task WaitForSuccessesAsync(int more, string what)
    {
        int target = Succeeded + more;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (Succeeded < target)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: {Succeeded} of {target} requests succeeded; failures: {string.Join("; ", Failures.Take(5))}");
            await Task.Delay(50);
        }
    }

    /// <summary>Stops the clients (a request in flight is cancelled, not counted); the counts stay readable.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task SendAsync(string host)
    {
        while (!_stop.IsCancellationRequested)
        {
            using var request = IrisRequest.To(host);
            var sent = DateTime.UtcNow;
            try
            {
                using var response = await _http.SendAsync(request, _stop.Token);
                string body = await response.Content.ReadAsStringAsync(_stop.Token);
                if (response.StatusCode == HttpStatusCode.OK && body == IrisRequest.Prediction)
                {
                    Interlocked.Increment(ref _succeeded);
                }
                else
                {
                    Fail(new LoadFailure(sent, $"{(int)response.StatusCode} {body}"));
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                Fail(new LoadFailure(sent, e.Message));
            }
        }
    }

    private void Fail(LoadFailure failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}
