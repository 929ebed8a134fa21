using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace Serving.Kubernetes.Client;

/// <summary>
/// The Kubernetes REST API as JSON, over KubernetesClient's connection and credentials: one way to read, watch and write
/// any kind (including the versions the generated client no longer has: <c>autoscaling/v2beta2</c>,
/// <c>discovery.k8s.io/v1beta1</c>, and custom resources). Writes are server-side apply with this controller's field
/// manager, so that they are idempotent and leave fields others own (a replica count an autoscaler sets) alone.
/// </summary>
public sealed class KubeApi(k8s.Kubernetes client, string fieldManager = KubeApi.DefaultFieldManager)
{
    public const string DefaultFieldManager = "serving-controller";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public string FieldManager { get; } = fieldManager;

    /// <summary>The API server's address (for logs).</summary>
    public Uri BaseUri => client.BaseUri;

    /// <summary>The object, or null when there is none (404).</summary>
    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, path, cancellationToken);
    }

    /// <summary>The objects that match both selectors (either may be null); <paramref name="fieldSelector"/> as <c>metadata.name=NAME</c> lists one object by name.</summary>
    public async Task<JsonObject> ListAsync(
        ResourceType type, string? @namespace, string? labelSelector, string? fieldSelector, CancellationToken cancellationToken)
    {
        string path = type.CollectionPath(@namespace) + Query(("labelSelector", labelSelector), ("fieldSelector", fieldSelector));
        using var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken);
        return await ReadAsync(response, path, cancellationToken);
    }

    /// <summary>
    /// Watch events from <paramref name="resourceVersion"/> on (with bookmarks), until the server ends the watch or
    /// <paramref name="cancellationToken"/> fires. An expired resource version throws <see cref="KubeApiException"/> with 410.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceType type, string? @namespace, string resourceVersion, string? labelSelector, string? fieldSelector, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = type.CollectionPath(@namespace) + Query(
            ("watch", "true"), ("allowWatchBookmarks", "true"), ("resourceVersion", resourceVersion), ("labelSelector", labelSelector),
            ("fieldSelector", fieldSelector),
            ("timeoutSeconds", ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken, stream: true);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, path, cancellationToken);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var node = JsonNode.Parse(line)?.AsObject() ?? throw new KubeApiException(0, "BadWatchEvent", $"{path}: an empty watch event");
            string kind = node["type"]?.GetValue<string>() ?? "";
            var value = node["object"]?.AsObject() ?? new JsonObject();
            if (kind == "ERROR")
            {
                int code = value["code"]?.GetValue<int>() ?? 0;
                throw new KubeApiException(code, value["reason"]?.GetValue<string>() ?? "WatchError", $"{path}: {value["message"]?.GetValue<string>()}");
            }

            yield return new WatchEvent(kind, value);
        }
    }

    /// <summary>Server-side apply of <paramref name="value"/> (which carries its apiVersion, kind and metadata).</summary>
    public Task<JsonObject> ApplyAsync(ResourceType type, JsonObject value, CancellationToken cancellationToken) =>
        ApplyAsync(type.ObjectPath(value["metadata"]?["namespace"]?.GetValue<string>(), value["metadata"]!["name"]!.GetValue<string>()), value, cancellationToken);

    /// <summary>Server-side apply of the object's status (the status subresource).</summary>
    public Task<JsonObject> ApplyStatusAsync(ResourceType type, JsonObject value, CancellationToken cancellationToken) =>
        ApplyAsync(
            type.ObjectPath(value["metadata"]?["namespace"]?.GetValue<string>(), value["metadata"]!["name"]!.GetValue<string>()) + "/status",
            value, cancellationToken);

    public async Task<JsonObject> CreateAsync(ResourceType type, string? @namespace, JsonObject value, CancellationToken cancellationToken)
    {
        string path = type.CollectionPath(@namespace);
        using var response = await SendAsync(HttpMethod.Post, path, value, Json, cancellationToken);
        return await ReadAsync(response, path, cancellationToken);
    }

    /// <summary>A JSON merge patch (<c>application/merge-patch+json</c>).</summary>
    public async Task<JsonObject> MergePatchAsync(string path, JsonObject patch, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Patch, path, patch, new MediaTypeHeaderValue("application/merge-patch+json"), cancellationToken);
        return await ReadAsync(response, path, cancellationToken);
    }

    /// <summary>Deletes the object (its dependents in the background); false when it was not there.</summary>
    public async Task<bool> DeleteAsync(ResourceType type, string? @namespace, string name, CancellationToken cancellationToken)
    {
        string path = type.ObjectPath(@namespace, name);
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["propagationPolicy"] = "Background" };
        using var response = await SendAsync(HttpMethod.Delete, path, options, Json, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ReadAsync(response, path, cancellationToken);
        return true;
    }

    /// <summary>Whether the server serves <paramref name="type"/> (discovery of its group version).</summary>
    public async Task<bool> ServesAsync(ResourceType type, CancellationToken cancellationToken)
    {
        string path = type.Group.Length == 0 ? $"/api/{type.Version}" : $"/apis/{type.Group}/{type.Version}";
        var list = await GetAsync(path, cancellationToken);
        return list?["resources"]?.AsArray().Any(r => r?["name"]?.GetValue<string>() == type.Plural) == true;
    }

    private Task<JsonObject> ApplyAsync(string path, JsonObject value, CancellationToken cancellationToken) =>
        PatchAsync(path + Query(("fieldManager", FieldManager), ("force", "true")), value, "application/apply-patch+yaml", cancellationToken);

    private async Task<JsonObject> PatchAsync(string path, JsonObject value, string contentType, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Patch, path, value, new MediaTypeHeaderValue(contentType), cancellationToken);
        return await ReadAsync(response, path, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, JsonNode? body, MediaTypeHeaderValue? contentType, CancellationToken cancellationToken, bool stream = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(client.BaseUri, path.TrimStart('/')));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = contentType;
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        return await client.HttpClient.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, path, cancellationToken);
        }

        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        return JsonNode.Parse(text)?.AsObject() ?? new JsonObject();
    }

    private static async Task<KubeApiException> FailureAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        string reason = response.ReasonPhrase ?? "";
        string message = text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject status)
            {
                reason = status["reason"]?.GetValue<string>() ?? reason;
                message = status["message"]?.GetValue<string>() ?? text;
            }
        }
        catch (JsonException)
        {
            // not a Status object: keep the text
        }

        return new KubeApiException((int)response.StatusCode, reason, $"{path}: {message}");
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var set = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join('&', set);
    }
}

/// <summary>One event of a watch: <c>ADDED</c>, <c>MODIFIED</c>, <c>DELETED</c> or <c>BOOKMARK</c>, and the object.</summary>
public sealed record WatchEvent(string Type, JsonObject Object);

/// <summary>A request the API server refused: its HTTP status, the Status reason and message.</summary>
public sealed class KubeApiException(int statusCode, string reason, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Reason { get; } = reason;

    /// <summary>410: the resource version a watch started from is too old; list again.</summary>
    public bool Gone => StatusCode == (int)HttpStatusCode.Gone;
}
