using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Serving.Runtime.Storage;

/// <summary>
/// One file over HTTP(S), following redirects. Extra request headers come from the environment variable
/// <c>&lt;host&gt;-headers</c> (a JSON object), as KServe's HTTPS secret sets it.
/// </summary>
internal sealed class HttpFetcher(HttpMessageHandler handler, Func<string, string?> environment)
{
    public const string HeadersSuffix = "-headers";

    public static SocketsHttpHandler CreateHandler(StorageLimits limits) => new()
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 10,
        ConnectTimeout = limits.StallTimeout,
        AutomaticDecompression = DecompressionMethods.None,
    };

    public async Task FetchAsync(HttpStorageUri uri, DownloadFolder into, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri.Address);
        AddHeaders(request.Headers, uri.Address.Host);

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new StorageException(StorageFailure.Unreachable, $"cannot reach {uri.Address.Authority}: {StorageException.Reasons(e)}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                int status = (int)response.StatusCode;
                var failure = response.StatusCode switch
                {
                    HttpStatusCode.NotFound or HttpStatusCode.Gone => StorageFailure.NotFound,
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => StorageFailure.AccessDenied,
                    _ => StorageFailure.Failed,
                };
                string redirect = status is >= 300 and < 400 ? " (redirected too many times)" : "";
                throw new StorageException(failure, $"HTTP {status} {response.ReasonPhrase}{redirect}");
            }

            if (response.Content.Headers.ContentType?.MediaType is "text/html")
            {
                throw new StorageException(StorageFailure.Failed, "answered with a web page (Content-Type text/html), not a model file");
            }

            if (response.Content.Headers.ContentLength is { } length)
            {
                into.CheckPlanned(1, length);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            try
            {
                await into.WriteAsync(uri.FileName, "file", body, cancellationToken);
            }
            catch (IOException e) when (e is HttpIOException || e.InnerException is System.Net.Sockets.SocketException)
            {
                throw new StorageException(StorageFailure.Failed, $"the download broke off: {e.Message}", e);
            }
        }
    }

    private void AddHeaders(HttpRequestHeaders headers, string host)
    {
        string variable = host + HeadersSuffix;
        if (environment(variable) is not { Length: > 0 } json)
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var header in document.RootElement.EnumerateObject())
            {
                headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Never echo the value: it holds credentials.
            throw new StorageException(StorageFailure.BadConfiguration, $"environment variable {variable} must be a JSON object of header names to string values");
        }
    }
}
