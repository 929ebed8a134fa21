using System.Text.RegularExpressions;

namespace Serving.Controller.Validation;

/// <summary>Storage URI rules (kserve-api.md §7; <c>ValidateStorageURI</c> and <c>validateMultipleStorageURIsSpec</c>).</summary>
internal static partial class StorageUris
{
    /// <summary><c>SupportedStorageURIPrefixList</c>, in KServe's order (the message lists them so).</summary>
    public static readonly IReadOnlyList<string> SupportedPrefixes =
        ["gs://", "s3://", "pvc://", "file://", "https://", "http://", "hdfs://", "webhdfs://", "oci://", "oci+native://", "oci+fetch://", "hf://"];

    /// <summary>Null when the URI can be served by the default storage initializer, else KServe's message.</summary>
    public static string? Check(string uri)
    {
        // A URI without any scheme is a local path, relative or absolute.
        if (!HasScheme().IsMatch(uri))
        {
            return null;
        }

        // Azure Blob uses https://, so it is checked first and, once recognised by host, must match fully.
        if (uri.Contains("blob.core.windows.net", StringComparison.Ordinal))
        {
            return AzureBlob().IsMatch(uri) ? null : Messages.UnsupportedStorageUri(SupportedPrefixes, uri);
        }

        return SupportedPrefixes.Any(p => uri.StartsWith(p, StringComparison.Ordinal)) ? null : Messages.UnsupportedStorageUri(SupportedPrefixes, uri);
    }

    /// <summary><c>FindCommonParentPath</c>: the longest shared leading directory of absolute paths ("/" when none).</summary>
    public static string CommonParent(IReadOnlyList<string> paths)
    {
        var split = paths.Select(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries)).ToList();
        int shortest = split.Min(s => s.Length);
        var common = new List<string>();
        for (int i = 0; i < shortest; i++)
        {
            string part = split[0][i];
            if (split.Any(s => s[i] != part))
            {
                break;
            }

            common.Add(part);
        }

        return "/" + string.Join('/', common);
    }

    // Go's \w is ASCII-only; RegexOptions.ECMAScript keeps .NET's the same.
    [GeneratedRegex(@"\w+?://", RegexOptions.ECMAScript)]
    private static partial Regex HasScheme();

    [GeneratedRegex("https://(.+?).blob.core.windows.net/(.+)")]
    private static partial Regex AzureBlob();
}
