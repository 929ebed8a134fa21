using System.Text.Json.Nodes;
using Serving.Gateway.Sources.Kubernetes;

namespace Serving.Gateway.Tests.Sources.Kubernetes;

/// <summary>A revision's ready endpoints, limit and protocol from its EndpointSlices, in both API versions.</summary>
public sealed class EndpointSlicesTests
{
    [Fact]
    public void A_v1beta1_slice_as_Kubernetes_1_20_writes_it_gives_the_ready_pods_only_with_the_Service_s_labels()
    {
        var slice = EndpointSlices.Read(Load("v1beta1.json"))!;

        Assert.Equal("lab", slice.Namespace);
        Assert.Equal("iris-predictor-00001", slice.Revision);
        Assert.Equal(["http://127.0.14.3:8080", "http://127.0.14.2:8080"], slice.Ready);
        Assert.Equal(4, slice.ContainerConcurrency);
        Assert.Equal("v2", slice.ProtocolVersion);
    }

    [Fact]
    public void A_v1_slice_drops_terminating_pods_takes_an_unknown_condition_as_ready_and_uses_the_http_port()
    {
        var slice = EndpointSlices.Read(Load("v1.json"))!;

        Assert.Equal("iris-predictor-00002", slice.Revision);
        Assert.Equal(["http://10.244.1.7:8080", "http://10.244.3.4:8080"], slice.Ready);
        Assert.Equal(0, slice.ContainerConcurrency);
        Assert.Null(slice.ProtocolVersion);
    }

    [Fact]
    public void A_slice_without_ports_yet_has_no_endpoints_and_one_of_no_Service_is_not_a_revision()
    {
        var empty = Load("v1beta1.json");
        empty["ports"] = null;
        empty["endpoints"] = null;
        Assert.Empty(EndpointSlices.Read(empty)!.Ready);

        var orphan = Load("v1.json");
        orphan["metadata"]!["labels"]!.AsObject().Remove(EndpointSlices.ServiceNameLabel);
        Assert.Null(EndpointSlices.Read(orphan));
    }

    [Fact]
    public void IPv6_addresses_are_bracketed()
    {
        var slice = Load("v1.json");
        slice["addressType"] = "IPv6";
        slice["endpoints"]![0]!["addresses"] = new JsonArray("fd00:10:244::7");

        Assert.Contains("http://[fd00:10:244::7]:8080", EndpointSlices.Read(slice)!.Ready);
    }

    [Fact]
    public void The_slices_of_one_Service_add_up_and_revisions_of_the_same_name_in_two_namespaces_stay_apart()
    {
        var first = new RevisionSlice("lab", "iris-predictor-00001", ["http://10.0.0.2:8080", "http://10.0.0.1:8080"], 4, "v2");
        var second = new RevisionSlice("lab", "iris-predictor-00001", ["http://10.0.0.3:8080", "http://10.0.0.1:8080"], 4, "v2");
        var elsewhere = new RevisionSlice("other", "iris-predictor-00001", ["http://10.0.9.1:8080"], 0, null);

        var revisions = EndpointSlices.ByRevision([first, second, elsewhere]);

        var lab = revisions[("lab", "iris-predictor-00001")];
        Assert.Equal(["http://10.0.0.1:8080", "http://10.0.0.2:8080", "http://10.0.0.3:8080"], lab.Ready);
        Assert.Equal((4, "v2"), (lab.ContainerConcurrency, lab.ProtocolVersion));
        Assert.Equal(["http://10.0.9.1:8080"], revisions[("other", "iris-predictor-00001")].Ready);
    }

    [Theory]
    [InlineData(true, true, "discovery.k8s.io/v1")] // 1.21 to 1.24
    [InlineData(true, false, "discovery.k8s.io/v1")] // 1.25 and later
    [InlineData(false, true, "discovery.k8s.io/v1beta1")] // 1.17 to 1.20 (the test cluster)
    public async Task Discovery_chooses_v1_where_it_is_served_else_v1beta1(bool v1, bool v1beta1, string chosen)
    {
        var asked = new List<string>();
        var type = await EndpointSlices.ChooseAsync(
            (t, _) =>
            {
                asked.Add(t.ApiVersion);
                return Task.FromResult(t.ApiVersion == "discovery.k8s.io/v1" ? v1 : v1beta1);
            },
            CancellationToken.None);

        Assert.Equal(chosen, type.ApiVersion);
        Assert.Equal("endpointslices", type.Plural);
        Assert.Equal("discovery.k8s.io/v1", asked[0]);
    }

    [Fact]
    public async Task A_server_without_EndpointSlices_is_refused_with_what_is_needed()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => EndpointSlices.ChooseAsync((_, _) => Task.FromResult(false), CancellationToken.None));

        Assert.Contains("serves no EndpointSlices (discovery.k8s.io/v1 or v1beta1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("1.17", e.Message, StringComparison.Ordinal);
    }

    internal static JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sources", "Kubernetes", "Objects", file)))!.AsObject();
}
