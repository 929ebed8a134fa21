using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;

namespace Serving.Gateway.Auth.ApiKeys;

/// <summary>
/// The API keys of a gateway on one machine (<c>--api-keys FILE</c>, <see cref="ApiKeySet.Parse"/>'s format), reloaded
/// when the file changes. The gateway does not start with a file it cannot read; a later version that fails to load is
/// logged and the last good keys stay. Every namespace sees the same keys.
/// </summary>
internal sealed partial class ApiKeysFile(string path, ILogger<ApiKeysFile> logger) : BackgroundService, IApiKeyStore
{
    private volatile ApiKeySet? _keys;

    public ApiKeyLookup Find(ServiceKey target, ReadOnlySpan<char> presented) => _keys is { } keys
        ? new ApiKeyLookup(keys.Find(presented))
        : new ApiKeyLookup(null, "the gateway's API keys file has not been loaded");

    /// <summary>Loads the file; false with what is wrong (never a key) when it cannot be read or does not parse.</summary>
    public bool TryLoad(out string? error)
    {
        try
        {
            var keys = ApiKeySet.Parse(File.ReadAllText(path));
            _keys = keys;
            LogLoaded(logger, keys.Count, path);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            error = e is FileNotFoundException or DirectoryNotFoundException ? $"'{path}' does not exist" : $"'{path}': {e.Message}";
            return false;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => WatchedFile.WatchAsync(path, Reload, stoppingToken);

    private void Reload()
    {
        if (!TryLoad(out string? error))
        {
            LogRejected(logger, error!);
        }
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Loaded {Count} API keys from {Path}")]
    private static partial void LogLoaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 51, Level = LogLevel.Error, Message = "API keys file rejected, keeping the previous keys: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}
