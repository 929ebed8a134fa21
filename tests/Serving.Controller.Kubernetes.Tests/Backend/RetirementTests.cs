using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Serving.Controller.Api;
using Serving.Controller.Kubernetes.Backend;

namespace Serving.Controller.Kubernetes.Tests.Backend;

public sealed class RetirementTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly List<(string Namespace, string Service, TimeSpan Delay)> _revisits = [];

    private Retirement Make(TimeSpan grace) => new(grace, _time, (ns, name, delay) => _revisits.Add((ns, name, delay)));

    [Fact]
    public void A_ready_revision_is_marked_then_waits_out_the_grace_with_a_revisit_at_its_end()
    {
        var retirement = Make(TimeSpan.FromSeconds(10));
        var deployment = Deployment(replicas: 1, ready: 1);

        var first = retirement.Step(deployment, "iris");
        Assert.False(first.Proceed);
        Assert.Equal(_time.GetUtcNow(), first.MarkAt);
        Assert.Equal(("ns", "iris", TimeSpan.FromSeconds(10)), _revisits.Single());

        deployment["metadata"]!["annotations"]![RevisionLabels.RetiredAt] = Retirement.Format(first.MarkAt!.Value);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(RetirementStep.Wait, retirement.Step(deployment, "iris"));
        Assert.Equal(TimeSpan.FromSeconds(6), _revisits[^1].Delay);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(retirement.Step(deployment, "iris").Proceed);
    }

    [Theory]
    [InlineData(0, 0)] // kept at zero already
    [InlineData(2, 0)] // nothing ready: nothing could be routed to it
    public void A_revision_without_ready_replicas_goes_at_once(int replicas, int ready)
    {
        Assert.Equal(RetirementStep.Now, Make(TimeSpan.FromSeconds(10)).Step(Deployment(replicas, ready), "iris"));
        Assert.Empty(_revisits);
    }

    [Fact]
    public void No_grace_means_at_once()
    {
        Assert.Equal(RetirementStep.Now, Make(TimeSpan.Zero).Step(Deployment(1, 1), "iris"));
    }

    private static JsonObject Deployment(int replicas, int ready) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "iris-predictor-00001", ["namespace"] = "ns", ["annotations"] = new JsonObject() },
        ["spec"] = new JsonObject { ["replicas"] = replicas },
        ["status"] = new JsonObject { ["readyReplicas"] = ready },
    };
}
