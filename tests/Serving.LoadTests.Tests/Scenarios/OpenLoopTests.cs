using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serving.LoadTests.Scenarios.Load;

namespace Serving.LoadTests.Tests.Scenarios;

public sealed class OpenLoopTests
{
    [Fact]
    public async Task The_open_loop_sends_at_its_rate_and_logs_every_answer()
    {
        var hold = new TaskCompletionSource();
        hold.SetResult();
        await using var server = await StubAsync(hold);
        using var client = new LoadClient(new RequestLog(Stopwatch.StartNew()));
        var loop = new OpenLoop(client, [Target(server)], _ => 100);
        using var stop = new CancellationTokenSource();

        // It runs until it has sent 150 (stopped on that, not on a time a stalled loop could spend on a few ticks).
        var running = loop.RunAsync(stop.Token, CancellationToken.None);
        await WaitUntilAsync(() => loop.Sent >= 150, () => $"only {loop.Sent} sent");

        stop.Cancel();
        await running;

        // 100 a second for as long as it ran, by its own ticks.
        var records = client.Log.Snapshot();
        Assert.True(loop.Ran.TotalSeconds >= 1.4, $"ran {loop.Ran}");
        Assert.InRange(records.Count, (100 * loop.Ran.TotalSeconds) - 1, (100 * loop.Ran.TotalSeconds) + 1);
        Assert.All(records, r => Assert.Equal(200, r.Status));
        Assert.Equal(loop.Sent, records.Count);
    }

    [Fact]
    public async Task Past_its_bound_of_requests_in_flight_the_loop_records_requests_as_not_sent_instead_of_growing()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StubAsync(hold); // answers nothing until released
        using var client = new LoadClient(new RequestLog(Stopwatch.StartNew()));
        var loop = new OpenLoop(client, [Target(server)], _ => 200, maxInFlight: 20);
        using var stop = new CancellationTokenSource();

        var running = loop.RunAsync(stop.Token, CancellationToken.None);
        // It runs until it is full and has turned requests away: the stop waits on that, not on a time, since a busy
        // machine can stall the loop for longer than any fixed run (it then sent only what its few ticks owed).
        await WaitUntilAsync(
            () => client.Log.InFlight >= 20 && client.Log.Snapshot().Count(r => r.Status == Outcome.NotSent) >= 40,
            () => $"{client.Log.InFlight} in flight, the loop never filled up");

        stop.Cancel();
        Assert.Equal(20, client.Log.InFlight);
        hold.SetResult();
        await running;

        var records = client.Log.Snapshot();
        Assert.Equal(20, records.Count(r => r.Status == 200));
        Assert.Equal(20, loop.Sent);
        // The rest of the 200 a second were due and recorded as not sent, for as long as it ran by its own ticks.
        double due = 200 * loop.Ran.TotalSeconds;
        Assert.InRange(records.Count(r => r.Status == Outcome.NotSent) + 20, due - 1, due + 1);
        Assert.Equal(records.Count, loop.Sent + records.Count(r => r.Status == Outcome.NotSent));
    }

    [Fact]
    public async Task A_connection_nobody_accepts_is_a_transport_error()
    {
        using var client = new LoadClient(new RequestLog(Stopwatch.StartNew()));
        using var port = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        port.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        short status = await client.SendAsync(new LoadTarget(new Uri($"http://127.0.0.1:{((IPEndPoint)port.LocalEndPoint!).Port}/"), null, []), CancellationToken.None);

        Assert.Equal(Outcome.TransportError, status);
        Assert.Equal(Outcome.TransportError, Assert.Single(client.Log.Snapshot()).Status);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> failure)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), failure());
            await Task.Delay(20);
        }
    }

    private static LoadTarget Target(WebApplication server) => new(new Uri(server.Urls.First()), "stub.default.example.com", "{}"u8.ToArray());

    private static async Task<WebApplication> StubAsync(TaskCompletionSource hold)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            await hold.Task;
            await context.Response.WriteAsync("{}");
        });
        await app.StartAsync();
        return app;
    }
}
