using k8s.Models;
using Serving.TestCluster.Pods;

namespace Serving.TestCluster.Tests.Pods;

public sealed class PodStatusBuilderTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("Always", "running", "Running")]
    [InlineData("Always", "creating", "Pending")]
    [InlineData("Always", "crashloop", "Running")]
    [InlineData("Never", "exit0", "Succeeded")]
    [InlineData("Never", "exit1", "Failed")]
    [InlineData("OnFailure", "exit0", "Succeeded")]
    [InlineData("OnFailure", "crashloop", "Running")]
    [InlineData("Always", "exit0", "Running")]
    public void The_phase_follows_the_kubelet(string policy, string state, string phase)
    {
        var spec = new V1PodSpec { RestartPolicy = policy, Containers = [new V1Container { Name = "c" }] };
        Assert.Equal(phase, PodStatusBuilder.Phase(spec, [], [Status("c", state)]));
    }

    [Fact]
    public void Init_containers_keep_the_pod_pending_and_a_failed_one_fails_it_under_Never()
    {
        var spec = new V1PodSpec { RestartPolicy = "Never", InitContainers = [new V1Container { Name = "i" }], Containers = [new V1Container { Name = "c" }] };
        Assert.Equal("Pending", PodStatusBuilder.Phase(spec, [Status("i", "running")], [Status("c", "creating")]));
        Assert.Equal("Failed", PodStatusBuilder.Phase(spec, [Status("i", "exit1")], [Status("c", "creating")]));
        Assert.Equal("Running", PodStatusBuilder.Phase(spec, [Status("i", "exit0")], [Status("c", "running")]));
    }

    [Fact]
    public void Conditions_name_what_is_not_ready_and_keep_transition_times()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "a" }, new V1Container { Name = "b" }] },
            Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = Now.AddMinutes(-1) }] },
        };
        var ready = Status("a", "running");
        ready.Ready = true;
        var first = PodStatusBuilder.Build(pod, [], [ready, Status("b", "running")], "127.1.1.2", "127.1.1.1", Now, null, Now);
        var notReady = first.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("False", notReady.Status);
        Assert.Equal("ContainersNotReady", notReady.Reason);
        Assert.Equal("containers with unready status: [b]", notReady.Message);
        Assert.Equal(Now.AddMinutes(-1), first.Conditions.Single(c => c.Type == "PodScheduled").LastTransitionTime);

        var later = Now.AddSeconds(30);
        var same = PodStatusBuilder.Build(pod, [], [ready, Status("b", "running")], "127.1.1.2", "127.1.1.1", Now, first.Conditions, later);
        Assert.Equal(Now, same.Conditions.Single(c => c.Type == "Ready").LastTransitionTime);

        var both = Status("b", "running");
        both.Ready = true;
        var flipped = PodStatusBuilder.Build(pod, [], [ready, both], "127.1.1.2", "127.1.1.1", Now, same.Conditions, later);
        Assert.Equal(("True", later), (flipped.Conditions.Single(c => c.Type == "Ready").Status, flipped.Conditions.Single(c => c.Type == "Ready").LastTransitionTime!.Value));
        Assert.Equal("127.1.1.2", flipped.PodIPs.Single().Ip);
    }

    private static V1ContainerStatus Status(string name, string state) => new()
    {
        Name = name,
        State = state switch
        {
            "running" => new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Now } },
            "creating" => new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
            "crashloop" => new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            "exit0" => new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0 } },
            _ => new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1 } },
        },
        LastState = state == "crashloop" ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1 } } : new V1ContainerState(),
    };
}
