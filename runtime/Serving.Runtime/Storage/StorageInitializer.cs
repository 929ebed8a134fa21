using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Serving.Runtime.Storage;

/// <summary>
/// KServe's storage initializer: downloads a storage URI into a model folder. The download is staged and moved in
/// only when complete (see <see cref="Staging"/>); a single downloaded <c>.tar</c>, <c>.tgz</c>/<c>.tar.gz</c> or
/// <c>.zip</c> is unpacked in its place. Every failure is a <see cref="StorageException"/>.
/// </summary>
internal sealed partial class StorageInitializer(
    StorageLimits limits, HttpMessageHandler http, Func<string, string?> environment, ILogger<StorageInitializer> logger)
{
    public async Task DownloadAsync(string uriText, string destination, CancellationToken cancellationToken)
    {
        var uri = StorageUri.Parse(uriText);
        if (uri is LocalStorageUri local && Inside(Path.GetFullPath(destination), local.Path))
        {
            throw new StorageException(StorageFailure.BadConfiguration, $"destination '{destination}' is inside the source folder");
        }

        var started = Stopwatch.StartNew();
        LogDownloading(logger, uri.Display, destination);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limits.Timeout);
        try
        {
            using var staging = Staging.For(destination);
            var download = new DownloadFolder(staging.NewFolder(), limits, "the download");
            await FetchAsync(uri, download, timeout.Token);

            var result = download;
            if (SingleArchive(download.Root) is var (archive, kind))
            {
                LogUnpacking(logger, Path.GetFileName(archive));
                result = new DownloadFolder(staging.NewFolder(), limits, $"archive '{Path.GetFileName(archive)}'");
                await Archives.UnpackAsync(archive, kind, result, timeout.Token);
            }

            staging.Commit(result.Root);
            LogDownloaded(logger, uri.Display, result.Files, result.Bytes, started.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StorageException(StorageFailure.TimedOut, $"not done after {limits.Timeout.TotalSeconds:0} s (--timeout-s)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageFailure.Failed, e.Message, e);
        }
    }

    private Task FetchAsync(StorageUri uri, DownloadFolder into, CancellationToken cancellationToken) => uri switch
    {
        LocalStorageUri local => LocalFetcher.FetchAsync(local, into, cancellationToken),
        HttpStorageUri web => new HttpFetcher(http, environment).FetchAsync(web, into, cancellationToken),
        S3StorageUri s3 => new S3Fetcher(S3Settings.FromEnvironment(environment), limits).FetchAsync(s3, into, cancellationToken),
        _ => throw new UnreachableException(),
    };

    private static (string Path, ArchiveKind Kind)? SingleArchive(string folder)
    {
        var entries = Directory.GetFileSystemEntries(folder);
        return entries is [var only] && File.Exists(only) && Archives.KindOf(Path.GetFileName(only)) is { } kind ? (only, kind) : null;
    }

    private static bool Inside(string path, string folder) =>
        path == folder || path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + "/", StringComparison.Ordinal);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Downloading {Uri} to {Destination}")]
    private static partial void LogDownloading(ILogger logger, string uri, string destination);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Unpacking {Archive}")]
    private static partial void LogUnpacking(ILogger logger, string archive);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Downloaded {Uri}: {Files} entries, {Bytes} bytes in {Seconds:0.0} s")]
    private static partial void LogDownloaded(ILogger logger, string uri, int files, long bytes, double seconds);
}
