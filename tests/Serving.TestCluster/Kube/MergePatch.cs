using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Serving.TestCluster.Kube;

/// <summary>JSON merge patches of a status. Nulls are left out: in a merge patch a null deletes the field.</summary>
internal static class MergePatch
{
    /// <summary><c>{"status": ...}</c> as JSON text (also what was written, for comparing).</summary>
    public static string StatusJson(object status)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(status))!;
        RemoveNulls(node);
        return $"{{\"status\":{node.ToJsonString()}}}";
    }

    public static V1Patch Of(string json) => new(json, V1Patch.PatchType.MergePatch);

    private static void RemoveNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, value) in obj)
                {
                    RemoveNulls(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RemoveNulls(item);
                }

                break;
        }
    }
}
