using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Gateway.Graph.Conditions;

namespace Serving.Gateway.Tests.Graph;

/// <summary>The GJSON subset against the documents and answers of GJSON's README (github.com/tidwall/gjson).</summary>
public sealed class GjsonPathTests
{
    private const string Readme = """
        {
          "name": {"first": "Tom", "last": "Anderson"},
          "age": 37,
          "children": ["Sara", "Alex", "Jack"],
          "fav.movie": "Deer Hunter",
          "friends": [
            {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
            {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
            {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}
          ],
          "flags": [true, false],
          "nothing": null,
          "predictions": ["dog", "cat"],
          "instances": [{"intval": 5}, {"intval": 12}]
        }
        """;

    private static readonly JsonElement Root = JsonDocument.Parse(Readme).RootElement;

    [Theory]
    [InlineData("name.last", "\"Anderson\"")]
    [InlineData("age", "37")]
    [InlineData("children", "[\"Sara\",\"Alex\",\"Jack\"]")]
    [InlineData("children.#", "3")]
    [InlineData("children.1", "\"Alex\"")]
    [InlineData("fav\\.movie", "\"Deer Hunter\"")]
    [InlineData("friends.#.first", "[\"Dale\",\"Roger\",\"Jane\"]")]
    [InlineData("friends.1.last", "\"Craig\"")]
    [InlineData("friends.#(last==\"Murphy\").first", "\"Dale\"")]
    [InlineData("friends.#(last=\"Murphy\").first", "\"Dale\"")]
    [InlineData("friends.#(last==\"Murphy\")#.first", "[\"Dale\",\"Jane\"]")]
    [InlineData("friends.#(age>47)#.last", "[\"Craig\"]")]
    [InlineData("friends.#(age>=47)#.last", "[\"Craig\",\"Murphy\"]")]
    [InlineData("friends.#(age<47)#.first", "[\"Dale\"]")]
    [InlineData("friends.#(age<=47)#.first", "[\"Dale\",\"Jane\"]")]
    [InlineData("friends.#(age!=44)#.first", "[\"Roger\",\"Jane\"]")]
    [InlineData("friends.#(first%\"D*\").last", "\"Murphy\"")]
    [InlineData("friends.#(first!%\"D*\").last", "\"Craig\"")]
    [InlineData("friends.#(first%\"?oger\").age", "68")]
    [InlineData("friends.#(nets.#(==\"fb\"))#.first", "[\"Dale\",\"Roger\"]")]
    [InlineData("children.#(!%\"*a*\")", "\"Alex\"")]
    [InlineData("children.#(%\"*a*\")#", "[\"Sara\",\"Jack\"]")]
    [InlineData("friends.#(first)#.age", "[44,68,47]")]
    [InlineData("instances.#(intval>10)", "{\"intval\":12}")]
    [InlineData("@this.age", "37")]
    [InlineData("name.@this.first", "\"Tom\"")]
    [InlineData("[@this].#(predictions.0==\"dog\").age", "37")]
    [InlineData("[age,name.first,missing]", "[37,\"Tom\"]")]
    [InlineData("flags.#(==true)", "true")]
    [InlineData("flags.#(<true)", "false")]
    [InlineData("nothing", "null")]
    [InlineData("friends.#(last==\"Nobody\")#", "[]")]
    [InlineData("friends.#(age==\"44\").first", "\"Dale\"")]
    public void Finds_what_gjson_finds(string path, string expected)
    {
        var value = GjsonPath.Parse(path).Get(Root);
        Assert.NotNull(value);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(value.Value.GetRawText())), value.Value.GetRawText());
        Assert.True(GjsonPath.Parse(path).Exists(Root));
    }

    [Theory]
    [InlineData("name.middle")]
    [InlineData("children.3")]
    [InlineData("age.#")]
    [InlineData("friends.#(last==\"Nobody\")")]
    [InlineData("friends.#(age>100).first")]
    [InlineData("instances.#(intval>20)")]
    [InlineData("[@this].#(predictions.0==\"cat\")")]
    [InlineData("children.#(first==\"Sara\")")] // a path on a plain value never matches
    [InlineData("friends.#(age==\"old\")")] // a non-number compares as 0
    [InlineData("nothing.#(==1)")]
    [InlineData("friends.#(nets==\"fb\")")] // an array is neither string nor number
    [InlineData("fav.movie")]
    public void Does_not_find_what_gjson_does_not(string path) => Assert.False(GjsonPath.Parse(path).Exists(Root));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a..b", "position 3: empty key")]
    [InlineData(".a", "position 1: empty key")]
    [InlineData("a.", "ends with '.'")]
    [InlineData("child*", "position 6: wildcard '*'")]
    [InlineData("c?ildren", "wildcard '?'")]
    [InlineData("friends|0", "pipes")]
    [InlineData("predictions[0]", "indexes are written with dots")]
    [InlineData("{ .predictions.class == \"dog\" }", "object sub-selectors")]
    [InlineData("predictions.class == \"dog\"", "comparisons go inside a query")]
    [InlineData("friends.#(age>40", "never closed")]
    [InlineData("friends.#()", "empty query")]
    [InlineData("friends.#(age>)", "no value after its operator")]
    [InlineData("friends.#(last==Murphy)", "must be a quoted string, a number, true or false")]
    [InlineData("friends.#(last==\"Mur)", "never closed")]
    [InlineData("friends.#(age~true)", "'~' (GJSON's truthiness operator) is not supported")]
    [InlineData("friends.#(first%D*)", "pattern of '%' must be a quoted string")]
    [InlineData("friends.#[age>40]", "old query form")]
    [InlineData("friends.#x", "'#' must stand alone")]
    [InlineData("friends.#.", "needs a path after it")]
    [InlineData("@reverse", "modifier '@reverse' is not supported")]
    [InlineData("..0", "JSON Lines")]
    [InlineData("friends.#(age>40)x", "expected '.' after a query")]
    [InlineData("[a,]", "empty path in '[...]'")]
    [InlineData("a\\", "escapes nothing")]
    public void Rejects_what_is_outside_the_subset_naming_the_part(string condition, string message)
    {
        var error = Assert.Throws<GjsonSyntaxException>(() => GjsonPath.Parse(condition));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "a*", true)]
    [InlineData("abc", "*c", true)]
    [InlineData("abc", "a?c", true)]
    [InlineData("abc", "a?", false)]
    [InlineData("a*c", "a\\*c", true)]
    [InlineData("abc", "a\\*c", false)]
    [InlineData("", "*", true)]
    [InlineData("", "?", false)]
    public void Like_patterns_match_as_gjson(string text, string pattern, bool matches) =>
        Assert.Equal(matches, LikePattern.Matches(text, pattern));

    [Fact]
    public void A_pathological_like_pattern_stops_instead_of_spinning() =>
        Assert.False(LikePattern.Matches(new string('a', 200) + "b", "*a*a*a*a*a*a*a*a*c"));
}
