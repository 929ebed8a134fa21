using Microsoft.Extensions.Logging;
using Serving.Runtime.Storage;

namespace Serving.Runtime.Hosting;

/// <summary>The download mode's command line: <c>SRC_URI DEST_DIR</c> pairs (KServe's contract) and the limits.</summary>
internal sealed record StorageInitializerOptions
{
    public const string Usage = """
        usage: serving-runtime storage-initializer [options] SRC_URI DEST_DIR [SRC_URI DEST_DIR ...]
               serving-runtime SRC_URI DEST_DIR [SRC_URI DEST_DIR ...]      (KServe's init-container arguments)
          SRC_URI                    file:///path or a local path, http(s)://host/path/file, s3://bucket/key-or-prefix
          DEST_DIR                   model folder to fill (e.g. /mnt/models); created when missing
          --max-bytes N              largest download, and largest unpacked archive, in bytes (default 107374182400)
          --max-files N              most files in a download or an archive (default 100000)
          --timeout-s S              time allowed for each download, unpacking included (default 3600)
          --stall-timeout-s S        time allowed to connect, and for each read to bring data (default 60)
          --termination-log PATH     where the failure line is also written for Kubernetes (default /dev/termination-log, if present)
          --log-level LEVEL          Trace, Debug, Information, Warning, Error (default Information)
        """;

    public const string DefaultTerminationLog = "/dev/termination-log";

    public required IReadOnlyList<(string Uri, string Destination)> Downloads { get; init; }

    public StorageLimits Limits { get; init; } = new();

    /// <summary>Written only when it exists, unless given on the command line: Kubernetes creates the default one.</summary>
    public string? TerminationLog { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>True for KServe's bare form: an even number of arguments, none an option (server mode takes only options).</summary>
    public static bool IsBareForm(IReadOnlyList<string> args) =>
        args.Count >= 2 && args.Count % 2 == 0 && args.All(a => !a.StartsWith('-'));

    public static StorageInitializerOptions Parse(IReadOnlyList<string> args)
    {
        var positionals = new List<string>();
        var values = RuntimeOptionsParser.ReadOptions(args, positionals);
        string? Take(string name) => values.Remove(name, out string? v) ? v : null;

        if (positionals.Count == 0 || positionals.Count % 2 != 0)
        {
            throw new OptionsException("expected SRC_URI DEST_DIR pairs");
        }

        var defaults = new StorageLimits();
        var options = new StorageInitializerOptions
        {
            Downloads = positionals.Chunk(2).Select(pair => (pair[0], pair[1])).ToArray(),
            Limits = new StorageLimits
            {
                MaxBytes = RuntimeOptionsParser.Long(Take("max-bytes"), "max-bytes", 1, long.MaxValue) ?? defaults.MaxBytes,
                MaxFiles = RuntimeOptionsParser.Int(Take("max-files"), "max-files", 1, int.MaxValue) ?? defaults.MaxFiles,
                Timeout = RuntimeOptionsParser.Double(Take("timeout-s"), "timeout-s", 1, 7 * 24 * 3600) is { } timeout
                    ? TimeSpan.FromSeconds(timeout) : defaults.Timeout,
                StallTimeout = RuntimeOptionsParser.Double(Take("stall-timeout-s"), "stall-timeout-s", 1, 3600) is { } stall
                    ? TimeSpan.FromSeconds(stall) : defaults.StallTimeout,
            },
            TerminationLog = Take("termination-log") ?? (File.Exists(DefaultTerminationLog) ? DefaultTerminationLog : null),
            LogLevel = Take("log-level") is { } level ? RuntimeOptionsParser.ParseLogLevel(level) : LogLevel.Information,
        };

        return values.Count > 0 ? throw new OptionsException($"unknown option --{values.Keys.First()}") : options;
    }
}
