using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Serving.Hosting;
using Serving.Runtime.Storage;

namespace Serving.Runtime.Hosting;

/// <summary>
/// The download mode (<c>serving-runtime storage-initializer SRC_URI DEST_DIR</c>) that a Kubernetes init container
/// runs with the runtime's own image. Exit 0 when every download is in place, 1 when one failed, 2 when the command
/// line, a URI or the environment cannot be used; a failure is one line on stderr naming the URI, also written to the
/// termination log so that the pod status, and from it the InferenceService status, carries it.
/// </summary>
internal static class StorageInitializerCommand
{
    public const string Name = "storage-initializer";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(StorageInitializerOptions.Usage);
            return 0;
        }

        StorageInitializerOptions options;
        try
        {
            options = StorageInitializerOptions.Parse(args);
        }
        catch (OptionsException e)
        {
            await Console.Error.WriteLineAsync($"{Name}: {e.Message}");
            await Console.Error.WriteLineAsync(StorageInitializerOptions.Usage);
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddServingConsole(options.LogLevel));
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var handler = HttpFetcher.CreateHandler(options.Limits);
        var initializer = new StorageInitializer(
            options.Limits, handler, Environment.GetEnvironmentVariable, loggerFactory.CreateLogger<StorageInitializer>());

        foreach (var (uri, destination) in options.Downloads)
        {
            try
            {
                await initializer.DownloadAsync(uri, destination, stop.Token);
            }
            catch (StorageException e)
            {
                await FailAsync(options, uri, e.Message);
                return e.Failure is StorageFailure.BadUri or StorageFailure.BadConfiguration ? 2 : 1;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                await FailAsync(options, uri, "interrupted; nothing was left in the destination");
                return 1;
            }
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task FailAsync(StorageInitializerOptions options, string uri, string message)
    {
        string line = $"{Name}: {StorageUri.Redact(uri)}: {message}";
        await Console.Error.WriteLineAsync(line);
        if (options.TerminationLog is { } path)
        {
            try
            {
                await File.WriteAllTextAsync(path, line + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The line is on stderr already; Kubernetes falls back to the log with FallbackToLogsOnError.
            }
        }
    }
}
