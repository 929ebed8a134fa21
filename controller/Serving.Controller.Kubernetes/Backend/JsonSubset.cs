using System.Text.Json.Nodes;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// Whether an object in the cluster already is what the controller wants: every field the controller sets has that
/// value, whatever the API server or others added (defaults, status, other managers' fields). Lets reconciles skip writes
/// that would change nothing.
/// </summary>
public static class JsonSubset
{
    public static bool Contains(JsonNode? actual, JsonNode? wanted) => (actual, wanted) switch
    {
        (_, null) => true,
        (JsonObject a, JsonObject w) => w.All(p => a.TryGetPropertyValue(p.Key, out var value) && Contains(value, p.Value)),
        (JsonArray a, JsonArray w) => a.Count == w.Count && w.Select((item, i) => Contains(a[i], item)).All(x => x),
        (JsonValue a, JsonValue w) => JsonNode.DeepEquals(a, w) || a.ToJsonString() == w.ToJsonString(),
        _ => false,
    };
}
