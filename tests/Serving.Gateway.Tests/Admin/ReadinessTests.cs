using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Gateway.Admin;
using Serving.Gateway.Auth.ApiKeys;
using Serving.Kubernetes.Client;

namespace Serving.Gateway.Tests.Admin;

/// <summary><c>/readyz</c>: ready once every readiness input is done; the API-key Secret is one once its keys are known.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readyz_names_the_first_input_still_awaited_then_answers_ready()
    {
        var routes = new TaskCompletionSource();
        var keys = new TaskCompletionSource();
        ReadinessInput[] inputs = [new("routes not synced yet", routes.Task), new("no valid API keys yet", keys.Task)];

        Assert.Equal((503, "routes not synced yet"), await ReadyzAsync(inputs));
        routes.SetResult();
        Assert.Equal((503, "no valid API keys yet"), await ReadyzAsync(inputs));
        keys.SetResult();
        Assert.Equal((200, "ready"), await ReadyzAsync(inputs));
        Assert.Equal((200, "ready"), await ReadyzAsync([])); // a gateway on one machine waits for nothing
    }

    [Theory]
    [InlineData(null, true)] // no such Secret: known missing, no key accepted
    [InlineData("dGVhbS1hLTAxMjM0NTY3ODlhYmNkZWY=", true)]
    [InlineData("not base64!", false)] // the first version does not parse: not ready (a valid version is what the other rows send)
    public async Task The_API_key_Secret_is_ready_once_its_first_list_says_what_the_keys_are(string? key, bool ready)
    {
        var list = new TaskCompletionSource();
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }, new FakeApiServer(list.Task, key));
        using var secret = new ApiKeysSecret(new KubeApi(client), "serving-system", "keys", TimeProvider.System, NullLoggerFactory.Instance);
        await secret.StartAsync(CancellationToken.None);
        try
        {
            Assert.False(secret.Readiness.Done.IsCompleted);

            list.SetResult();
            var done = await Task.WhenAny(secret.Readiness.Done, Task.Delay(TimeSpan.FromSeconds(ready ? 10 : 1), CancellationToken.None));
            Assert.Equal(ready, done == secret.Readiness.Done);
        }
        finally
        {
            await secret.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<(int Status, string Text)> ReadyzAsync(IReadOnlyList<ReadinessInput> inputs)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await AdminEndpoints.Readyz(context, inputs);
        await context.Response.BodyWriter.FlushAsync();
        return (context.Response.StatusCode, JsonNode.Parse(Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()))!["status"]!.GetValue<string>());
    }

    /// <summary>The API server's Secret list once <paramref name="listed"/> completes (the Secret with <paramref name="key"/>, or none); watches wait.</summary>
    private sealed class FakeApiServer(Task listed, string? key) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Query.Contains("watch=true", StringComparison.Ordinal))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            await listed.WaitAsync(cancellationToken);
            var items = new JsonArray();
            if (key is not null)
            {
                items.Add(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "keys", ["namespace"] = "serving-system" }, ["data"] = new JsonObject { ["team-a"] = key } });
            }

            var body = new JsonObject { ["kind"] = "SecretList", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = "1" }, ["items"] = items };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        }
    }
}
