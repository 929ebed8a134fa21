using System.Security.Cryptography;
using System.Text;
using Serving.Gateway.Auth.ApiKeys;

namespace Serving.Gateway.Tests.Auth;

/// <summary>The API keys file's format and the key comparison.</summary>
public sealed class ApiKeySetTests
{
    private const string TeamA = "team-a-0123456789abcdef";
    private const string Ci = "ci-key-with:colon-0123456789";

    [Fact]
    public void Keys_are_found_by_name_whatever_their_spelling_in_the_file()
    {
        string hashed = "hashed-key-0123456789abcdef";
        var keys = ApiKeySet.Parse($"""
            # keys of the iris team
            team-a: {TeamA}

            ci:{Ci}
            old.key_1:sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashed)))}
            """.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(3, keys.Count);
        Assert.Equal("team-a", keys.Find(TeamA));
        Assert.Equal("ci", keys.Find(Ci)); // everything after the first colon
        Assert.Equal("old.key_1", keys.Find(hashed));
        Assert.Null(keys.Find(TeamA + "x"));
        Assert.Null(keys.Find(TeamA.AsSpan(0, TeamA.Length - 1)));
        Assert.Null(keys.Find(""));
        Assert.Null(keys.Find(new string('k', ApiKeySet.MaxKeyLength + 1)));
        Assert.Null(keys.Find("clé-non-ascii-🔑-0123456789"));
    }

    [Theory]
    [InlineData("just-a-key-without-a-name", "line 1: expected name:key")]
    [InlineData("# c\nte am:0123456789abcdef0", "line 2: the name 'te …' is not letters, digits, '.', '_' and '-'")]
    [InlineData(":0123456789abcdef0", "line 1: the name '' is not letters, digits, '.', '_' and '-'")]
    [InlineData("a:0123456789abcdef0\na:fedcba9876543210f", "line 2: the name 'a' is used twice")]
    [InlineData("a:0123456789abcdef0\nb:0123456789abcdef0", "line 2: the key of 'b' is the key of 'a'")]
    [InlineData("a:short-secret", "line 1: the key of 'a' has 12 characters; a key needs 16 to 1024, or sha256: and 64 hex digits")]
    [InlineData("a:sha256:abcd", "line 1: the key of 'a' has 11 characters; a key needs 16 to 1024, or sha256: and 64 hex digits")]
    public void A_file_that_cannot_be_read_as_keys_names_the_line_and_never_quotes_a_key(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ApiKeySet.Parse(text));

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("short-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_holds_no_keys()
    {
        var keys = ApiKeySet.Parse("# nothing yet\n");

        Assert.Equal(0, keys.Count);
        Assert.Null(keys.Find(TeamA));
    }
}
