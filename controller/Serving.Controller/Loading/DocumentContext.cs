using YamlDotNet.Core;

namespace Serving.Controller.Loading;

/// <summary>Where a document came from, so that an error found in its JSON form can name a YAML line and column.</summary>
internal sealed record DocumentContext(string Source, int Document, int FirstLine)
{
    public IReadOnlyDictionary<string, Mark>? Positions { get; init; }

    public Mark Start { get; init; } = Mark.Empty;

    /// <summary>Set for items of a <c>List</c>, so that paths and positions refer to the whole document.</summary>
    public string PathPrefix { get; init; } = "$";

    public LoadError Error(Mark mark, LoadProblem problem, string message) =>
        new(Source, Document, mark.Line + FirstLine - 1, mark.Column, problem, message);

    /// <summary>An error at a JSON path: the YAML position of that path, or of its nearest recorded parent.</summary>
    public LoadError Error(string path, LoadProblem problem, string message)
    {
        string full = PathPrefix + path[1..];
        if (Positions is null)
        {
            return new LoadError(Source, Document, null, null, problem, message);
        }

        while (true)
        {
            if (Positions.TryGetValue(full, out var mark))
            {
                return Error(mark, problem, message);
            }

            int cut = Math.Max(full.LastIndexOf('.'), full.LastIndexOf('['));
            if (cut <= 0)
            {
                return Error(Start, problem, message);
            }

            full = full[..cut];
        }
    }
}
