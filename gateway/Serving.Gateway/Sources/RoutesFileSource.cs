using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Serving.Gateway.Model;

namespace Serving.Gateway.Sources;

/// <summary>
/// Routes from a JSON file (a list of <see cref="ServiceRoute"/>), reloaded when it changes: for running the gateway by
/// hand or in benchmarks, without a controller. A file that fails to load is logged and the last good routes stay.
/// </summary>
internal sealed partial class RoutesFileSource(string path, ILogger<RoutesFileSource> logger) : BackgroundService, IRouteSource
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = true,
    };

    private readonly InMemoryRouteSource _current = new();

    public RouteSnapshot Snapshot => _current.Snapshot;

    public IChangeToken ChangeToken => _current.ChangeToken;

    public static IReadOnlyList<ServiceRoute> Parse(string json) =>
        JsonSerializer.Deserialize<List<ServiceRoute>>(json, Json) ?? throw new JsonException("the routes file holds null");

    /// <summary>Loads once; throws when the file is missing or invalid (the host fails fast at start).</summary>
    public void Load()
    {
        var routes = Parse(File.ReadAllText(path));
        foreach (var route in routes)
        {
            Routing.ServiceCatalog.Validate(route);
        }

        _current.Update(new RouteSnapshot(routes, []));
        LogLoaded(logger, routes.Count, path);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Hosting.WatchedFile.WatchAsync(path, Reload, stoppingToken);

    private void Reload()
    {
        try
        {
            Load();
        }
        catch (Exception e) when (e is IOException or JsonException or ArgumentException)
        {
            LogRejected(logger, path, e.Message);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Loaded {Count} InferenceService routes from {Path}")]
    private static partial void LogLoaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Routes file {Path} rejected, keeping the previous routes: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
