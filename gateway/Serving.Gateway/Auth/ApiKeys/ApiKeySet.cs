using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Serving.Gateway.Auth.ApiKeys;

/// <summary>
/// Named API keys, held only as SHA-256 hashes. A presented key is hashed and compared with every key in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>, no early exit), so timing tells nothing about the keys.
/// </summary>
internal sealed class ApiKeySet
{
    public const int MinKeyLength = 16;
    public const int MaxKeyLength = 1024;
    private const string HashPrefix = "sha256:";
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private readonly string[] _names;
    private readonly byte[][] _hashes;

    private ApiKeySet(string[] names, byte[][] hashes)
    {
        _names = names;
        _hashes = hashes;
    }

    public int Count => _names.Length;

    /// <summary>
    /// Reads <c>name:key</c> lines (blank lines and <c>#</c> comments skipped); a key is everything after the first colon.
    /// Names and keys follow <see cref="From"/>. Throws <see cref="FormatException"/> naming the line and what is wrong (never the key).
    /// </summary>
    public static ApiKeySet Parse(string text) => From(Lines(text));

    /// <summary>
    /// The keys of named entries (a file's lines, a Secret's data). A name is letters, digits, <c>.</c>, <c>_</c> and
    /// <c>-</c>, used once; a key (trimmed) is 16 to 1,024 characters, or <c>sha256:</c> and the 64 hex digits of the
    /// key's SHA-256, and no two names share one. Throws <see cref="FormatException"/> saying where (the entry's
    /// <see cref="ApiKeyEntry.Where"/>) and what is wrong, never the key.
    /// </summary>
    public static ApiKeySet From(IEnumerable<ApiKeyEntry> entries)
    {
        var names = new List<string>();
        var hashes = new List<byte[]>();
        foreach (var (where, name, untrimmed) in entries)
        {
            string at = where is null ? "" : where + ": ";
            string key = untrimmed.Trim();
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new FormatException($"{at}the name '{Printable(name)}' is not letters, digits, '.', '_' and '-'");
            }

            if (names.Contains(name, StringComparer.Ordinal))
            {
                throw new FormatException($"{at}the name '{name}' is used twice");
            }

            byte[] hash = HashOf(key) ?? throw new FormatException(
                $"{at}the key of '{name}' has {key.Length} characters; a key needs {MinKeyLength} to {MaxKeyLength}, or {HashPrefix} and 64 hex digits");
            if (hashes.FindIndex(h => h.AsSpan().SequenceEqual(hash)) is >= 0 and var same)
            {
                throw new FormatException($"{at}the key of '{name}' is the key of '{names[same]}'");
            }

            names.Add(name);
            hashes.Add(hash);
        }

        return new ApiKeySet([.. names], [.. hashes]);
    }

    /// <summary>The name of the presented key, or null.</summary>
    public string? Find(ReadOnlySpan<char> presented)
    {
        if (presented.Length is 0 or > MaxKeyLength)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyLength * 3];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        int length = Encoding.UTF8.GetBytes(presented, utf8);
        SHA256.HashData(utf8[..length], hash);
        utf8[..length].Clear();
        int found = -1;
        for (int i = 0; i < _hashes.Length; i++)
        {
            bool equal = CryptographicOperations.FixedTimeEquals(hash, _hashes[i]);
            found = equal ? i : found;
        }

        return found < 0 ? null : _names[found];
    }

    private static IEnumerable<ApiKeyEntry> Lines(string text)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string where = string.Create(CultureInfo.InvariantCulture, $"line {i + 1}");
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            yield return colon >= 0
                ? new ApiKeyEntry(where, line[..colon].Trim(), line[(colon + 1)..])
                : throw new FormatException($"{where}: expected name:key");
        }
    }

    private static byte[]? HashOf(string key)
    {
        if (!key.StartsWith(HashPrefix, StringComparison.Ordinal))
        {
            return key.Length is >= MinKeyLength and <= MaxKeyLength ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;
        }

        var hex = key.AsSpan(HashPrefix.Length);
        return hex.Length == 2 * SHA256.HashSizeInBytes && !hex.ContainsAnyExcept(HexDigits) ? Convert.FromHexString(hex) : null;
    }

    /// <summary>A name as far as it is safe to quote (a misplaced key must not land in a log whole).</summary>
    private static string Printable(string name) => name.Length <= 3 ? name : string.Concat(name.AsSpan(0, 3), "…");
}

/// <summary>One named key as read, before its checks; <paramref name="Where"/> says where it was read (<c>line 3</c>), or null.</summary>
internal readonly record struct ApiKeyEntry(string? Where, string Name, string Key);
