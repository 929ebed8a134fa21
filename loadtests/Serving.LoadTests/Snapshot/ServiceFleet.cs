using System.Globalization;
using Serving.Gateway.Model;

namespace Serving.LoadTests.Snapshot;

/// <summary>
/// A catalog of InferenceServices for the snapshot benchmark: spread over 10 namespaces, each predictor split over two
/// revisions (a canary) with tags, two replicas per revision.
/// </summary>
internal static class ServiceFleet
{
    public const string Domain = "example.com";

    public static IReadOnlyList<ServiceRoute> Create(int services, int canaryPercent = 10) =>
        [.. Enumerable.Range(0, services).Select(i => Service(i, canaryPercent))];

    public static ServiceRoute Service(int index, int canaryPercent)
    {
        string name = Name(index);
        string latest = $"{name}-predictor-00002";
        string previous = $"{name}-predictor-00001";
        var predictor = new ComponentRoute(
            [new TrafficTarget(latest, canaryPercent, "latest"), new TrafficTarget(previous, 100 - canaryPercent, "prev")],
            [new RevisionRoute(latest, 0, Replicas(index, 2)), new RevisionRoute(previous, 0, Replicas(index, 1))]);
        return new ServiceRoute(Namespace(index), name, new Dictionary<Component, ComponentRoute> { [Component.Predictor] = predictor });
    }

    /// <summary>Hosts to look up: the service, component and tag hosts of existing services, and as many that exist nowhere.</summary>
    public static string[] LookupHosts(int services, int count, int seed)
    {
        var random = new Random(seed);
        var hosts = new string[count];
        for (int i = 0; i < count; i++)
        {
            int index = random.Next(services);
            string name = Name(index);
            string ns = Namespace(index);
            hosts[i] = (i % 4) switch
            {
                0 => $"{name}.{ns}.{Domain}",
                1 => $"{name}-predictor.{ns}.{Domain}",
                2 => $"latest-{name}-predictor.{ns}.{Domain}",
                _ => random.Next(2) == 0 ? $"{name}-missing.{ns}.{Domain}" : $"{name}.{ns}.unknown.org",
            };
        }

        random.Shuffle(hosts);
        return hosts;
    }

    private static string Name(int index) => "model-" + index.ToString("D5", CultureInfo.InvariantCulture);

    private static string Namespace(int index) => "team-" + (index % 10).ToString(CultureInfo.InvariantCulture);

    private static EndpointRoute[] Replicas(int index, int revision) =>
    [
        .. Enumerable.Range(0, 2).Select(r => new EndpointRoute(
            string.Create(CultureInfo.InvariantCulture, $"http://10.{revision}.{index / 250 % 250}.{(index % 250) + 1}:{8080 + r}"), true)),
    ];
}
