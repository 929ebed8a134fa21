namespace Serving.Gateway.Hosting;

/// <summary>Calls back after a file changes (written, created, renamed onto), bursts of events coalesced: for the files the gateway reloads.</summary>
internal static class WatchedFile
{
    public static async Task WatchAsync(string path, Action changed, CancellationToken stoppingToken)
    {
        string full = Path.GetFullPath(path);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
        };
        using var events = new SemaphoreSlim(0);
        watcher.Changed += (_, _) => events.Release();
        watcher.Created += (_, _) => events.Release();
        watcher.Renamed += (_, _) => events.Release();
        watcher.EnableRaisingEvents = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            await events.WaitAsync(stoppingToken);
            await Task.Delay(100, stoppingToken); // let the writer finish; coalesce bursts of events
            while (events.CurrentCount > 0)
            {
                await events.WaitAsync(stoppingToken);
            }

            changed();
        }
    }
}
