using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Hosting;

/// <summary>
/// Feeds the catalog from a JSON file of routes and reloads it when it changes: for running the gateway
/// by hand or in benchmarks, before a controller feeds it. A bad file is logged and the last good routes stay.
/// </summary>
internal sealed partial class RoutesFile(string path, ServiceCatalog catalog, ILogger<RoutesFile> logger) : BackgroundService
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = true,
    };

    public static IReadOnlyList<ServiceRoute> Parse(string json) =>
        JsonSerializer.Deserialize<List<ServiceRoute>>(json, Json) ?? throw new JsonException("the routes file holds null");

    /// <summary>Loads once; throws when the file is missing or invalid (the host fails fast at start).</summary>
    public void Load()
    {
        var routes = Parse(File.ReadAllText(path));
        catalog.Replace(routes);
        LogLoaded(logger, routes.Count, path);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string full = Path.GetFullPath(path);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
        };
        var changed = new SemaphoreSlim(0);
        watcher.Changed += (_, _) => changed.Release();
        watcher.Created += (_, _) => changed.Release();
        watcher.Renamed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            await changed.WaitAsync(stoppingToken);
            await Task.Delay(100, stoppingToken); // let the writer finish; coalesce bursts of events
            while (changed.CurrentCount > 0)
            {
                await changed.WaitAsync(stoppingToken);
            }

            try
            {
                Load();
            }
            catch (Exception e) when (e is IOException or JsonException or ArgumentException)
            {
                LogRejected(logger, path, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Loaded {Count} InferenceService routes from {Path}")]
    private static partial void LogLoaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Routes file {Path} rejected, keeping the previous routes: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
