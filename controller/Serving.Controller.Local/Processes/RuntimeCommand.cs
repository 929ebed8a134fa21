using Serving.Controller.Planning;

namespace Serving.Controller.Local.Processes;

/// <summary>A process to start: program, arguments, extra environment.</summary>
public sealed record RuntimeCommand(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// How to start a revision's replica now: the command, or why not. <paramref name="Permanent"/> errors can never run here
/// (a custom image, remote storage); others may pass later (a model folder not there yet) and are retried as failed starts.
/// </summary>
public sealed record Launch(RuntimeCommand? Command, string? Error, bool Permanent)
{
    public static Launch Of(RuntimeCommand command) => new(command, null, false);
}

/// <summary>
/// Turns a revision's template into the command line of a local runtime process: the container's arguments as the
/// ServingRuntime renders them, with the model directory, port and address this machine gives it. Only templates
/// that run this platform's runtime image can run locally; anything else is refused with a message that says why.
/// </summary>
/// <param name="environment">Added to every replica's environment; the template's own variables win.</param>
public sealed class RuntimeLauncher(string runtimePath, string storageRoot, IReadOnlyDictionary<string, string>? environment = null)
{
    /// <summary>Images the local backend runs as <c>serving-runtime</c> processes.</summary>
    public const string RuntimeImage = "serving-runtime";

    private static readonly string[] Overridden = ["model_dir", "model-dir", "http_port", "http-port", "host"];

    public string RuntimePath { get; } = runtimePath;

    /// <summary>The command for one replica, or why this template cannot run on this machine (now, or ever).</summary>
    public Launch Command(RevisionTemplate template, string scratch)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.Image is not { } image || !IsRuntimeImage(image))
        {
            return new Launch(null, template.Runtime is null
                ? $"the local backend runs ONNX models on its own runtime; a custom container (image {template.Image ?? "none"}) cannot run here"
                : $"runtime {template.Runtime} uses image {template.Image ?? "none"}; the local backend runs only the {RuntimeImage} image", Permanent: true);
        }

        var (modelDir, error, permanent) = ModelDirectory(template.StorageUri, scratch);
        if (modelDir is null)
        {
            return new Launch(null, error, permanent);
        }

        var args = new List<string>();
        bool dll = RuntimePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        if (dll)
        {
            args.Add(RuntimePath);
        }

        args.AddRange(WithoutOverridden(template.Args));
        args.AddRange(["--model_dir", modelDir, "--http_port", "0", "--host", "127.0.0.1"]);
        string fileName = dll ? "dotnet" : RuntimePath;
        var env = template.Env;
        if (environment is { Count: > 0 })
        {
            var merged = new Dictionary<string, string>(environment, StringComparer.Ordinal);
            foreach (var (key, value) in template.Env)
            {
                merged[key] = value;
            }

            env = merged;
        }

        return Launch.Of(new RuntimeCommand(fileName, args, env));
    }

    private static bool IsRuntimeImage(string image)
    {
        string repository = image.Split('@')[0];
        int colon = repository.LastIndexOf(':');
        if (colon > repository.LastIndexOf('/'))
        {
            repository = repository[..colon];
        }

        return repository == RuntimeImage || repository.EndsWith("/" + RuntimeImage, StringComparison.Ordinal);
    }

    /// <summary>
    /// A <c>file://</c> URI or a plain path (relative ones against the storage root) to a folder, or to a single model
    /// file, which is linked into a folder of its own as KServe's storage initializer would download it.
    /// </summary>
    private (string? Dir, string? Error, bool Permanent) ModelDirectory(string? storageUri, string scratch)
    {
        if (string.IsNullOrEmpty(storageUri))
        {
            return (null, "the model has no storageUri", true);
        }

        string path = storageUri;
        if (path.StartsWith("file://", StringComparison.Ordinal))
        {
            path = path["file://".Length..];
        }
        else if (path.Contains("://", StringComparison.Ordinal))
        {
            string scheme = path[..path.IndexOf("://", StringComparison.Ordinal)];
            return (null, $"storageUri {storageUri}: {scheme}:// storage is not available on the local backend (no network); use file:// or a local path", true);
        }

        string full = Path.GetFullPath(path, storageRoot);
        if (Directory.Exists(full))
        {
            return (full, null, false);
        }

        if (File.Exists(full))
        {
            Directory.CreateDirectory(scratch);
            string link = Path.Combine(scratch, Path.GetFileName(full));
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, full);
            }

            return (scratch, null, false);
        }

        return (null, $"storageUri {storageUri}: {full} does not exist", false); // it may appear: tried again with backoff
    }

    private static IEnumerable<string> WithoutOverridden(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg.TrimStart('-');
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            string key = equals >= 0 ? name[..equals] : name;
            if (arg.StartsWith("--", StringComparison.Ordinal) && Overridden.Contains(key))
            {
                if (equals < 0)
                {
                    i++; // the value follows
                }

                continue;
            }

            yield return arg;
        }
    }
}
