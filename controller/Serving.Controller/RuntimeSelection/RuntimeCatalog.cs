using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;

namespace Serving.Controller.RuntimeSelection;

/// <summary>
/// The runtimes selection chooses from: namespaced ones (any namespace; selection keeps the InferenceService's, so they
/// must carry their namespace, as defaulting gives them) and cluster ones.
/// </summary>
public sealed record RuntimeCatalog(IReadOnlyList<ServingRuntime> ServingRuntimes, IReadOnlyList<ClusterServingRuntime> ClusterServingRuntimes)
{
    public static RuntimeCatalog Empty { get; } = new([], []);

    /// <summary>Only the platform's <see cref="DefaultRuntimes"/>.</summary>
    public static RuntimeCatalog Defaults { get; } = Empty.WithDefaultRuntimes();

    public static RuntimeCatalog From(IEnumerable<IKubeObject> objects)
    {
        var list = objects.ToList();
        return new RuntimeCatalog(list.OfType<ServingRuntime>().ToList(), list.OfType<ClusterServingRuntime>().ToList());
    }

    /// <summary>Adds the platform's default runtimes, except where a cluster runtime of the same name is already installed.</summary>
    public RuntimeCatalog WithDefaultRuntimes() => this with
    {
        ClusterServingRuntimes =
        [
            .. ClusterServingRuntimes,
            .. DefaultRuntimes.All.Where(d => ClusterServingRuntimes.All(c => c.Metadata.Name != d.Metadata.Name)),
        ],
    };
}
