using System.Text.Json;

namespace Serving.Gateway.Graph.Conditions;

/// <summary>
/// A condition of an InferenceGraph step: the subset of GJSON path syntax (github.com/tidwall/gjson) that KServe users
/// write, compiled once at load time. KServe's router asks only whether the path exists in a JSON document
/// (<c>gjson.Get(json, condition).Exists()</c>), so that is the one question this answers. There is no GJSON library
/// for .NET on our registry, hence this small parser and evaluator; anything outside the subset is rejected by
/// <see cref="Parse"/> with a message naming the bad part, instead of silently never matching.
/// </summary>
public sealed class GjsonPath
{
    internal GjsonPath(string text, IReadOnlyList<Segment> segments)
    {
        Text = text;
        Segments = segments;
    }

    public string Text { get; }

    internal IReadOnlyList<Segment> Segments { get; }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="GjsonSyntaxException"/> naming what is not supported.</summary>
    public static GjsonPath Parse(string text) => GjsonParser.Parse(text);

    /// <summary>Whether the path leads to a value in <paramref name="root"/> (GJSON's <c>Result.Exists()</c>).</summary>
    public bool Exists(JsonElement root) => GjsonEvaluator.Evaluate(Segments, 0, root) is not null;

    /// <summary>The value the path leads to, or null when there is none (for tests and messages).</summary>
    public JsonElement? Get(JsonElement root) => GjsonEvaluator.Evaluate(Segments, 0, root);

    public override string ToString() => Text;
}
