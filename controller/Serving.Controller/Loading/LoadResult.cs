using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Loading;

/// <summary>An object read from a manifest, with where it came from (document numbers start at 1).</summary>
public sealed record LoadedObject(string Source, int Document, IKubeObject Object);

/// <summary>What went wrong, so that callers can decide what to skip (a folder may hold Secrets next to KServe YAML).</summary>
public enum LoadProblem
{
    /// <summary>The file could not be read.</summary>
    Io,

    /// <summary>Not YAML/JSON (with line and column).</summary>
    Syntax,

    /// <summary>Not an object, or no apiVersion/kind.</summary>
    NotAnObject,

    /// <summary>A kind this library does not serve, or a KServe kind under the wrong version.</summary>
    UnknownKind,

    /// <summary>A field has the wrong type (a list where a string belongs…).</summary>
    Schema,

    /// <summary><c>metadata.name</c> is missing or empty.</summary>
    MissingName,
}

/// <summary>A loading error: file, document, position when known, and the problem in words.</summary>
public sealed record LoadError(string Source, int? Document, long? Line, long? Column, LoadProblem Problem, string Message)
{
    public override string ToString()
    {
        var text = new System.Text.StringBuilder(Source);
        if (Line is { } line)
        {
            text.Append(':').Append(line);
            if (Column is { } column)
            {
                text.Append(':').Append(column);
            }
        }

        if (Document is { } document)
        {
            text.Append(": document ").Append(document);
        }

        return text.Append(": ").Append(Message).ToString();
    }
}

/// <summary>Objects in file order, and every error (a bad document does not stop the others).</summary>
public sealed record LoadResult(IReadOnlyList<LoadedObject> Objects, IReadOnlyList<LoadError> Errors)
{
    public static LoadResult Empty { get; } = new([], []);

    public IEnumerable<InferenceService> InferenceServices => Objects.Select(o => o.Object).OfType<InferenceService>();

    public IEnumerable<InferenceGraph> InferenceGraphs => Objects.Select(o => o.Object).OfType<InferenceGraph>();

    public IEnumerable<ServingRuntime> ServingRuntimes => Objects.Select(o => o.Object).OfType<ServingRuntime>();

    public IEnumerable<ClusterServingRuntime> ClusterServingRuntimes => Objects.Select(o => o.Object).OfType<ClusterServingRuntime>();

    public LoadResult Concat(LoadResult other) => new([.. Objects, .. other.Objects], [.. Errors, .. other.Errors]);
}
