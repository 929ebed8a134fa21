using System.Text.RegularExpressions;
using Serving.Controller.Api.V1Beta1;

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

    /// <summary><c>validateMultipleStorageURIs</c> for transformer, explainer and predictor.</summary>
    public static void ValidateLists(InferenceService isvc, List<string> errors)
    {
        var spec = isvc.Spec;
        if (spec.Transformer is { } transformer)
        {
            string? single = transformer.Containers is [var first, ..] ? first.EnvValue(EnvNames.StorageUri) : null;
            StorageUriList(single, transformer.StorageUris, errors);
        }

        if (spec.Explainer is { } explainer)
        {
            string? single = explainer.Art is { StorageUri: { Length: > 0 } artUri } ? artUri
                : explainer.Containers is [var first, ..] ? first.EnvValue(EnvNames.StorageUri) : null;
            StorageUriList(single, explainer.StorageUris, errors);
        }

        if (spec.Predictor is { } predictor)
        {
            StorageUriList(Implementations.StorageUri(predictor), predictor.StorageUris, errors);
        }
    }

    private static void StorageUriList(string? single, IReadOnlyList<StorageUri>? uris, List<string> errors)
    {
        if (uris is null)
        {
            return;
        }

        if (single is not null)
        {
            errors.Add(Messages.InvalidStorageUriConfig);
            return;
        }

        var paths = new List<string>();
        var pvcPaths = new List<string>();
        foreach (var uri in uris)
        {
            string mountPath = uri.MountPath ?? StorageUri.DefaultMountPath;
            string? error = uri.Uri.Length == 0 ? Messages.StorageUriEmpty
                : mountPath == "/" ? Messages.StoragePathEmpty
                : !mountPath.StartsWith('/') ? Messages.StoragePathNotAbsolute(mountPath)
                : mountPath.Contains("..", StringComparison.Ordinal) ? Messages.StoragePathTraversal(mountPath)
                : null;
            if (error is not null)
            {
                errors.Add(error);
                return;
            }

            (uri.Uri.StartsWith("pvc://", StringComparison.Ordinal) ? pvcPaths : paths).Add(mountPath);
        }

        if (paths.Count <= 1)
        {
            return;
        }

        if (pvcPaths.Count > 1 && pvcPaths.Distinct(StringComparer.Ordinal).Count() != pvcPaths.Count)
        {
            errors.Add(Messages.PvcPathsUnique);
        }
        else if (StorageUris.CommonParent(paths) == "/")
        {
            errors.Add(Messages.StoragePathsNoCommonParent(paths));
        }
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
