using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Serving.Runtime.Storage;

/// <summary>
/// <c>s3://bucket/key</c>: an object whose key is exactly <c>key</c> is downloaded under its base name; otherwise
/// every object under the folder <c>key/</c> keeps its path below it (KServe strips the bare prefix, so that
/// <c>models/iris</c> would also take <c>models/iris2/…</c> as <c>2/…</c>; here it does not).
/// </summary>
internal sealed class S3Fetcher(S3Settings settings, StorageLimits limits)
{
    private const int Parallelism = 4;

    public async Task FetchAsync(S3StorageUri uri, DownloadFolder into, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient(limits);
        var objects = await ListAsync(client, uri, into, cancellationToken);
        into.CheckPlanned(objects.Count, objects.Sum(o => o.Size));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(objects, parallel, async (item, token) =>
        {
            using var response = await CallAsync(() => client.GetObjectAsync(uri.Bucket, item.Key, token), uri, item.Key);
            await into.WriteAsync(item.Path, "object key", response.ResponseStream, token);
        });
    }

    private async Task<List<S3Item>> ListAsync(AmazonS3Client client, S3StorageUri uri, DownloadFolder into, CancellationToken cancellationToken)
    {
        string folder = uri.Key.Length == 0 || uri.Key.EndsWith('/') ? uri.Key : uri.Key + "/";
        var request = new ListObjectsV2Request { BucketName = uri.Bucket, Prefix = uri.Key };
        var found = new List<S3Item>();
        ListObjectsV2Response page;
        do
        {
            page = await CallAsync(() => client.ListObjectsV2Async(request, cancellationToken), uri, uri.Key);
            foreach (var item in page.S3Objects ?? [])
            {
                // Keys ending in '/' are folder markers that consoles create; they hold nothing.
                if (item.Key.EndsWith('/'))
                {
                    continue;
                }

                if (item.Key == uri.Key)
                {
                    // An exact key sorts before every longer key it prefixes, so it is the first one seen.
                    return [new S3Item(item.Key, item.Key[(item.Key.LastIndexOf('/') + 1)..], item.Size ?? 0)];
                }

                if (item.Key.StartsWith(folder, StringComparison.Ordinal))
                {
                    found.Add(new S3Item(item.Key, item.Key[folder.Length..], item.Size ?? 0));
                }
            }

            into.CheckPlanned(found.Count, found.Sum(o => o.Size));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return found.Count > 0
            ? found
            : throw new StorageException(
                StorageFailure.NotFound,
                uri.Key.Length == 0 ? $"bucket '{uri.Bucket}' holds no objects" : $"no object '{uri.Key}' and no objects under '{folder}' in bucket '{uri.Bucket}'");
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, S3StorageUri uri, string key)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            throw new StorageException(StorageFailure.NotFound, $"bucket '{uri.Bucket}' does not exist at {settings.Where}", e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey" || e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StorageException(StorageFailure.NotFound, $"no object '{key}' in bucket '{uri.Bucket}'", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new StorageException(StorageFailure.AccessDenied, $"access denied by {settings.Where} ({e.ErrorCode}: {e.Message})", e);
        }
        catch (Exception e) when (Unreachable(e) is { } reason)
        {
            throw new StorageException(StorageFailure.Unreachable, $"cannot reach {settings.Where}: {reason}", e);
        }
        catch (AmazonServiceException e)
        {
            throw new StorageException(StorageFailure.Failed, $"{settings.Where} answered {e.ErrorCode ?? ((int)e.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {e.Message}", e);
        }
        catch (AmazonClientException e)
        {
            throw new StorageException(StorageFailure.Failed, e.Message, e);
        }
    }

    /// <summary>Why the endpoint could not be reached, when a network error is at the root of <paramref name="e"/>.</summary>
    private static string? Unreachable(Exception e)
    {
        for (Exception? network = e; network is not null; network = network.InnerException)
        {
            if (network is HttpRequestException or System.Net.Sockets.SocketException)
            {
                bool tls = false;
                for (var cause = network; cause is not null; cause = cause.InnerException)
                {
                    tls |= cause is System.Security.Authentication.AuthenticationException;
                }

                return StorageException.Reasons(network) + (tls ? " (a private CA: AWS_CA_BUNDLE; no check: S3_VERIFY_SSL=0)" : "");
            }
        }

        return null;
    }

    private sealed record S3Item(string Key, string Path, long Size);
}
