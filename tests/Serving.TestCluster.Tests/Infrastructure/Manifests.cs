using k8s;

namespace Serving.TestCluster.Tests.Infrastructure;

/// <summary>Test manifests from Resources/, with <c>{{NAME}}</c> placeholders filled in.</summary>
internal static class Manifests
{
    public static T Load<T>(string file, params (string Name, string Value)[] values)
    {
        string yaml = File.ReadAllText(RepoPaths.Resource(file));
        foreach (var (name, value) in values)
        {
            yaml = yaml.Replace("{{" + name + "}}", value, StringComparison.Ordinal);
        }

        return KubernetesYaml.Deserialize<T>(yaml);
    }
}
