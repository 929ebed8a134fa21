using System.Diagnostics;
using System.Net;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>Starts that survive a busy machine, and starts that fail and then succeed by themselves.</summary>
public sealed class StartRecoveryTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_replica_paused_for_4_s_during_its_start_still_serves_the_request_that_waited_for_it()
    {
        await using var platform = await TestPlatform.StartAsync();
        // The pause must land before the replica is ready. A starved test thread can see the process too late: then
        // that try proves nothing, and another service is started (the first tries stay, running).
        string name = "";
        int pid = 0;
        bool paused = false;
        foreach (string attempt in (string[])["iris", "iris-b", "iris-c"])
        {
            name = attempt;
            platform.Write($"{name}.yaml", Manifests.Iris(name, minReplicas: 1));
            pid = await platform.WaitForRuntimeAsync(name, Long);
            Signal("STOP", pid); // as a loaded machine would: no output, no answer to probes
            paused = !platform.Starts.Any(s => s.Replica.StartsWith(name + "-predictor-", StringComparison.Ordinal) && s.Has(StartStep.Ready));
            if (paused)
            {
                break;
            }

            Signal("CONT", pid);
        }

        Assert.True(paused, "on each of 3 tries the replica was ready before the test could pause it");

        var clock = Stopwatch.StartNew();
        var request = platform.InferAsync(name);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(request.IsCompleted);
        Signal("CONT", pid);

        var (status, version, cold) = await request;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", version);
        Assert.True(cold);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}");
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.Ready(platform, name), Long, $"{name} Ready");
        Assert.DoesNotContain(platform.Logs, l => l.Contains("failed", StringComparison.Ordinal)); // no failed start, no restart
    }

    [Fact]
    public async Task A_model_that_is_not_there_yet_is_retried_and_the_service_becomes_ready_by_itself_when_it_appears()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("late.yaml", Manifests.Iris("late", minReplicas: 1).Replace("file://models/iris", "file://models/late", StringComparison.Ordinal));
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.ReadyCondition(platform, "late") == "False", Long, "late not ready");

        string message = (await platform.StatusAsync("late"))!["modelStatus"]!["lastFailureInfo"]!["message"]!.GetValue<string>();
        Assert.Contains("CrashLoopBackOff (restarts: ", message, StringComparison.Ordinal);
        Assert.Contains("does not exist", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await platform.PredictV1Async("late"));

        Directory.CreateDirectory(Path.Combine(platform.Root, "models", "late"));
        File.Copy(Path.Combine(platform.IrisModel, "model.onnx"), Path.Combine(platform.Root, "models", "late", "model.onnx"));
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.Ready(platform, "late"), Long, "late Ready by itself");
        Assert.Equal(HttpStatusCode.OK, await platform.PredictV1Async("late"));
    }

    internal static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
