using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>The samples that <c>./run.sh</c> serves, run as they ship, with real runtime processes.</summary>
public sealed class SampleTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_sample_graph_is_ready_and_answers_through_its_steps()
    {
        await using var platform = await TestPlatform.StartAsync(storageRoot: RepoPaths.Root);
        foreach (string file in new[] { "graph.yaml", "graph-services.yaml" })
        {
            File.Copy(Path.Combine(RepoPaths.Root, "samples", "kserve", file), Path.Combine(platform.Manifests, file));
        }

        await TestPlatform.WaitUntilAsync(
            async () => (await platform.StatusAsync("iris-graph", "InferenceGraph"))?["conditions"]?[0]?["status"]?.GetValue<string>() == "True",
            Long, "iris-graph Ready");

        using var client = new HttpClient { Timeout = Long };
        for (int i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(platform.Inference, "/"))
            {
                Content = new StringContent("""{"instances":[[68,28,48,14],[51,35,14,2]]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Host = "iris-graph.default.example.com";
            using var response = await client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var predictions = (await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray();
            Assert.Equal([1, 0], predictions.Select(p => p!.GetValue<int>()));
        }
    }
}
