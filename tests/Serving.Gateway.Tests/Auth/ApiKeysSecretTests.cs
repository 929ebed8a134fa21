using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Serving.Gateway.Auth.ApiKeys;

namespace Serving.Gateway.Tests.Auth;

/// <summary>A Secret's data read as API keys: the file's rules, each entry named by its key in the Secret.</summary>
public sealed class ApiKeysSecretTests
{
    private const string TeamA = "team-a-0123456789abcdef";

    [Fact]
    public void Each_entry_is_a_key_name_and_its_key()
    {
        string hashed = "hashed-key-0123456789abcdef";
        var keys = ApiKeysSecret.Read(Secret(
            ("team-a", Base64(TeamA + "\n")), // kubectl create secret --from-file keeps the file's newline
            ("old.key_1", Base64("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashed)))))));

        Assert.Equal(2, keys.Count);
        Assert.Equal("team-a", keys.Find(TeamA));
        Assert.Equal("old.key_1", keys.Find(hashed));
        Assert.Null(keys.Find("sha256:" + hashed));
    }

    [Fact]
    public void A_Secret_without_data_holds_no_keys()
    {
        Assert.Equal(0, ApiKeysSecret.Read(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "keys" } }).Count);
        Assert.Equal(0, ApiKeysSecret.Read(Secret()).Count);
    }

    [Theory]
    [InlineData("a", "c2hvcnQtc2VjcmV0", "the key of 'a' has 12 characters; a key needs 16 to 1024, or sha256: and 64 hex digits")]
    [InlineData("a", "c2hhMjU2OmFiY2Q=", "the key of 'a' has 11 characters; a key needs 16 to 1024, or sha256: and 64 hex digits")]
    [InlineData("b", "not base64!", "the value of 'b' is not base64")]
    [InlineData("c", "/////////////////////w==", "the key of 'c' is not UTF-8 text")]
    public void A_bad_entry_is_named_and_its_key_never_quoted(string name, string value, string message)
    {
        var error = Assert.Throws<FormatException>(() => ApiKeysSecret.Read(Secret(("team-a", Base64(TeamA)), (name, value))));

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("short-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TeamA, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_entries_with_one_key_are_refused_as_in_the_file()
    {
        var error = Assert.Throws<FormatException>(() => ApiKeysSecret.Read(Secret(("team-a", Base64(TeamA)), ("team-b", Base64(TeamA)))));

        Assert.Equal("the key of 'team-b' is the key of 'team-a'", error.Message);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static JsonObject Secret(params (string Name, string Value)[] data)
    {
        var entries = new JsonObject();
        foreach (var (name, value) in data)
        {
            entries[name] = value;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "keys" }, ["data"] = entries };
    }
}
