using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serving.Gateway.Graph;

/// <summary>
/// Which incoming headers graph steps receive: KServe's <c>router.headers.propagate</c> patterns, unanchored regexes
/// matched against Go's canonical form of the name (<c>x-request-id</c> is seen as <c>X-Request-Id</c>), each header
/// passed once. Connection-level headers are never passed: the step request has its own body and connection.
/// </summary>
internal sealed class HeaderPropagation
{
    private static readonly HashSet<string> Never = new(
        ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Te", "Trailer", "Proxy-Connection", "Expect"],
        StringComparer.OrdinalIgnoreCase);

    private readonly Regex[] _patterns;

    /// <summary>Throws <see cref="ArgumentException"/> naming a pattern that is not a valid regex.</summary>
    public HeaderPropagation(IEnumerable<string> patterns)
    {
        _patterns = [.. patterns.Select(p =>
        {
            try
            {
                return new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"graph header pattern '{p}' is not a valid regular expression: {e.Message}", e);
            }
        })];
    }

    public IReadOnlyList<KeyValuePair<string, StringValues>> Select(IHeaderDictionary headers)
    {
        if (_patterns.Length == 0)
        {
            return [];
        }

        var selected = new List<KeyValuePair<string, StringValues>>();
        foreach (var (name, values) in headers)
        {
            string canonical = Canonical(name);
            if (!Never.Contains(name) && _patterns.Any(p => p.IsMatch(canonical)))
            {
                selected.Add(new(canonical, values));
            }
        }

        return selected;
    }

    /// <summary>Go's <c>textproto.CanonicalMIMEHeaderKey</c>: upper case first and after each '-', lower case elsewhere.</summary>
    public static string Canonical(string name)
    {
        var text = new StringBuilder(name.Length);
        bool upper = true;
        foreach (char c in name)
        {
            text.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            upper = c == '-';
        }

        return text.ToString();
    }
}
