using System.Text.RegularExpressions;

namespace Serving.Runtime.Storage;

/// <summary>
/// A storage URI as KServe's storage initializer reads it: a local path (<c>file://</c> or none), <c>http(s)://</c> or
/// <c>s3://</c>. <see cref="Parse"/> refuses everything else with a message that says what is supported.
/// </summary>
internal abstract partial record StorageUri(string Text)
{
    public const string Supported = "file:// (or a local path), http://, https:// and s3://";

    /// <summary>The URI as messages and logs show it: without user info or query, which may carry secrets (pre-signed URLs).</summary>
    public string Display => Redact(Text);

    public static StorageUri Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new StorageException(StorageFailure.BadUri, "the storage URI is empty");
        }

        var scheme = Scheme().Match(text);
        if (!scheme.Success)
        {
            return new LocalStorageUri(text, Path.GetFullPath(text));
        }

        string rest = text[scheme.Length..];
        return scheme.Groups[1].Value.ToLowerInvariant() switch
        {
            "file" when rest.Length > 0 => new LocalStorageUri(text, Path.GetFullPath(rest)),
            "file" => throw new StorageException(StorageFailure.BadUri, "names no path (file:///path/to/model)"),
            "http" or "https" => HttpStorageUri.From(text),
            "s3" => S3StorageUri.From(text, rest),
            "pvc" => throw new StorageException(
                StorageFailure.BadUri,
                "pvc:// is not downloaded: the controller mounts the claim at the model folder, so no storage initializer runs for it"),
            string other => throw new StorageException(StorageFailure.BadUri, $"{other}:// is not supported here; supported: {Supported}"),
        };
    }

    /// <summary>Drops <c>user:password@</c> and the query from a URI-like text, for messages.</summary>
    public static string Redact(string text)
    {
        var scheme = Scheme().Match(text);
        if (!scheme.Success)
        {
            return text;
        }

        string rest = text[scheme.Length..];
        int query = rest.IndexOf('?', StringComparison.Ordinal);
        string suffix = query >= 0 ? "?..." : "";
        rest = query >= 0 ? rest[..query] : rest;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        int at = rest.LastIndexOf('@', slash >= 0 ? slash : rest.Length - 1);
        if (at >= 0)
        {
            rest = rest[(at + 1)..];
        }

        return text[..scheme.Length] + rest + suffix;
    }

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex Scheme();
}

internal sealed record LocalStorageUri(string Text, string Path) : StorageUri(Text);

/// <summary>One file over HTTP(S); <see cref="FileName"/> is the last segment of the path, as KServe names it.</summary>
internal sealed record HttpStorageUri(string Text, Uri Address, string FileName) : StorageUri(Text)
{
    public static HttpStorageUri From(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || address.Host.Length == 0)
        {
            throw new StorageException(StorageFailure.BadUri, "is not a valid http(s) URL");
        }

        string fileName = Uri.UnescapeDataString(address.AbsolutePath[(address.AbsolutePath.LastIndexOf('/') + 1)..]);
        if (fileName is "" or "." or ".." || fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\0', StringComparison.Ordinal))
        {
            throw new StorageException(StorageFailure.BadUri, "names no file: the path must end with a file name (https://host/path/model.onnx)");
        }

        return new HttpStorageUri(text, address, fileName);
    }
}

/// <summary><c>s3://bucket/key</c>: <see cref="Key"/> is an object's exact key or a prefix (empty: the whole bucket).</summary>
internal sealed record S3StorageUri(string Text, string Bucket, string Key) : StorageUri(Text)
{
    public static S3StorageUri From(string text, string rest)
    {
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash >= 0 ? rest[..slash] : rest;
        if (bucket.Length == 0 || bucket.Any(c => char.IsWhiteSpace(c) || c is '?' or '#'))
        {
            throw new StorageException(StorageFailure.BadUri, "names no valid bucket (s3://BUCKET/KEY)");
        }

        return new S3StorageUri(text, bucket, slash >= 0 ? rest[(slash + 1)..] : "");
    }
}
