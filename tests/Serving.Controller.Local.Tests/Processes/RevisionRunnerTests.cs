using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Processes;
using Serving.Controller.Planning;

namespace Serving.Controller.Local.Tests.Processes;

/// <summary>
/// Starts, probes and restarts as Kubernetes does them, against a replica whose readiness the test controls: the
/// process only announces the address of a Kestrel endpoint in the test (as the runtime announces where it listens),
/// and the test decides how that endpoint answers.
/// </summary>
public sealed class RevisionRunnerTests : IAsyncLifetime
{
    private static readonly ProbeSettings Fast = new()
    {
        StartupPeriod = TimeSpan.FromMilliseconds(20),
        Period = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromMilliseconds(200),
        FailureThreshold = 3,
        StartDeadline = TimeSpan.FromSeconds(10),
    };

    /// <summary>The file whose creation makes a crashing stand-in exit.</summary>
    private readonly string _crash = Path.Combine(Path.GetTempPath(), $"serving-crash-{Guid.NewGuid():N}");
    private WebApplication _readiness = null!;
    private string _address = "";
    private volatile int _status = 200;
    private volatile int _slowProbes;
    private int _probes;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _readiness = builder.Build();
        _readiness.MapGet("/v2/health/ready", async context =>
        {
            Interlocked.Increment(ref _probes);
            if (Interlocked.Decrement(ref _slowProbes) >= 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted); // longer than a probe's timeout
            }

            context.Response.StatusCode = _status;
        });
        await _readiness.StartAsync();
        _address = _readiness.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        File.Delete(_crash);
        await _readiness.DisposeAsync();
    }

    [Fact]
    public async Task Probes_slower_than_their_timeout_never_fail_a_start()
    {
        _slowProbes = 3;
        await using var runner = Runner(Fast);
        runner.ScaleTo(1);

        await WaitUntilAsync(() => runner.ReadyReplicas == 1, "ready");

        Assert.Equal(RevisionPhase.Ready, runner.Phase);
        Assert.Equal(0, runner.Restarts);
        Assert.True(Volatile.Read(ref _probes) >= 4, "the slow probes timed out and were retried");
    }

    [Fact]
    public async Task A_start_past_its_deadline_is_killed_retried_with_backoff_and_the_revision_becomes_ready_by_itself()
    {
        _status = 503;
        // A probe's timeout as long as the deadline: a starved probe cannot time out first and change the last probe's result.
        await using var runner = Runner(Fast with { StartDeadline = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(5) }, backoff: TimeSpan.FromSeconds(1));
        runner.ScaleTo(1);

        await WaitUntilAsync(() => runner.Phase == RevisionPhase.Failed, "failed start");
        var failed = runner.Observe();
        Assert.Equal(RevisionRunner.CrashLoopBackOff, failed.Waiting);
        Assert.True(failed.Restarts >= 1);
        Assert.Contains("not ready within 5 s (last probe: HTTP 503)", failed.Message, StringComparison.Ordinal);
        Assert.Contains("starting up", failed.Message, StringComparison.Ordinal); // its last output

        _status = 200;
        await WaitUntilAsync(() => runner.ReadyReplicas == 1, "ready after a retry");
        Assert.Equal(RevisionPhase.Ready, runner.Phase);
        Assert.Null(runner.Observe().Waiting);
    }

    [Fact]
    public async Task A_ready_replica_whose_probes_fail_leaves_routing_and_comes_back()
    {
        await using var runner = Runner(Fast);
        runner.ScaleTo(1);
        await WaitUntilAsync(() => runner.ReadyReplicas == 1, "ready");

        _status = 503;
        await WaitUntilAsync(() => runner.ReadyReplicas == 0, "out of routing after the failure threshold");
        Assert.Equal(RevisionPhase.Ready, runner.Phase); // the revision stays ready; the replica does not take traffic

        _status = 200;
        await WaitUntilAsync(() => runner.ReadyReplicas == 1, "back in routing");
        Assert.Equal(0, runner.Restarts);
    }

    [Fact]
    public async Task A_replica_that_crashes_is_restarted_and_counted()
    {
        // It crashes when the test says so, once it was found ready (a crash before ready is a failed start, and a fixed
        // life could end before a starved first probe).
        await using var runner = Runner(Fast, backoff: TimeSpan.FromMilliseconds(200), crashes: true);
        runner.ScaleTo(1);
        await WaitUntilAsync(() => runner.ReadyReplicas == 1, "ready");
        await File.WriteAllTextAsync(_crash, "");
        await WaitUntilAsync(() => runner.Restarts >= 1, "a crash");

        Assert.Equal(RevisionPhase.Ready, runner.Observe().Phase);
        await WaitUntilAsync(() => runner.ReadyReplicas == 1 && !File.Exists(_crash), "restarted and ready");
        await File.WriteAllTextAsync(_crash, "");
        await WaitUntilAsync(() => runner.Restarts >= 2, "crashed again");
    }

    [Fact]
    public async Task A_revision_that_can_never_run_here_fails_for_good_and_starts_nothing()
    {
        await using var runner = new RevisionRunner(
            Record(), () => new Launch(null, "a custom container cannot run here", Permanent: true), new ReplicaTimings { Probes = Fast },
            (_, _) => Task.CompletedTask, new StartHistory(), TimeProvider.System, NullLogger.Instance);
        runner.ScaleTo(1);

        Assert.Equal(RevisionPhase.Failed, runner.Phase);
        Assert.Equal("a custom container cannot run here", runner.Message);
        Assert.Equal(0, runner.Desired);
    }

    [Fact]
    public async Task A_replica_disposed_by_several_owners_at_once_stops_without_an_error()
    {
        // A replica that drains while its revision is disposed has two owners that dispose it as its stop completes;
        // Process.Dispose run twice at once threw NullReferenceException from inside the runtime, seen once in a stress
        // loop. The window is narrow: this stress passes on the old code too almost always, so it guards the behaviour
        // (every owner's dispose completes, the process is stopped), not the race.
        for (int round = 0; round < 10; round++)
        {
            var process = ReplicaProcess.Start(
                new RuntimeCommand("/bin/sh", ["-c", "exec sleep 600"], new Dictionary<string, string>()), "test#1",
                new StartTimeline("test#1", TimeProvider.System), NullLogger.Instance);
            using var go = new ManualResetEventSlim();
            var owners = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                go.Wait();
                await process.DisposeAsync();
            })).ToList();
            go.Set();
            await Task.WhenAll(owners);

            Assert.True(process.Exited.IsCompleted);
            Assert.True(process.StopRequested);
        }
    }

    private RevisionRunner Runner(ProbeSettings probes, TimeSpan? backoff = null, bool crashes = false)
    {
        // A stand-in for the runtime: says where it listens (the test's endpoint), then stays up (or, when it crashes,
        // waits for the file _crash, removes it and exits with 3).
        string script = $"echo starting up; echo 'Now listening on: {_address}'; "
            + (crashes ? $"while [ ! -e '{_crash}' ]; do sleep 0.05; done; rm -f '{_crash}'; exit 3" : "exec sleep 600");
        var command = new RuntimeCommand("/bin/sh", ["-c", script], new Dictionary<string, string>());
        return new RevisionRunner(
            Record(), () => Launch.Of(command),
            new ReplicaTimings { Probes = probes, RestartBackoff = backoff ?? TimeSpan.FromSeconds(1), StopGrace = TimeSpan.FromSeconds(2) },
            (_, _) => Task.CompletedTask, new StartHistory(), TimeProvider.System, NullLogger.Instance);
    }

    private static RevisionRecord Record() => new("test-predictor-00001", "f", null);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
