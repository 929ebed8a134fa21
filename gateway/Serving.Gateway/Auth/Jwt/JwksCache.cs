using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Serving.Gateway.Auth.Jwt;

/// <summary>
/// Signing keys by JWKS source (an http(s) URL, or a file on the gateway), loaded on first use and cached: a load is
/// bounded by <see cref="AuthOptions.JwksTimeout"/>, shared by the requests that wait for it, refreshed in the background
/// after <see cref="AuthOptions.JwksRefresh"/> (the old keys serve meanwhile and stay when a refresh fails), and done again
/// for a token whose <c>kid</c> is unknown (key rotation) or after a failure, at most once per <see cref="AuthOptions.JwksRetry"/>.
/// </summary>
internal sealed partial class JwksCache : IDisposable
{
    /// <summary>The largest JWKS read; a real one is a few KiB.</summary>
    public const int MaxBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public JwksCache(AuthOptions options, TimeProvider time, ILogger<JwksCache> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>The keys of <paramref name="source"/>, or why there are none; <paramref name="kid"/> (the token's) asks for a reload when no key has it.</summary>
    public async ValueTask<SigningKeys> GetAsync(string source, string? kid, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(source, static _ => new Entry());
        var current = entry.Current;
        bool none = current is null || (current.Keys is null && current.Due(_time));
        bool rotated = kid is not null && current?.Keys is not null && !current.Has(kid) && current.Retriable(_time, _options.JwksRetry);
        if (none || rotated)
        {
            return await Load(entry, source, current).WaitAsync(cancellationToken);
        }

        if (current!.Keys is not null && current.Due(_time))
        {
            _ = Load(entry, source, current); // the old keys serve while the new ones load
        }

        return current;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Reads a JWKS: its RSA and EC P-256 keys for signatures, or why it cannot be used (never the document itself).</summary>
    internal static IReadOnlyList<JsonWebKey>? Parse(ReadOnlySpan<byte> json, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                error = "is not a JWKS (a JSON object with a \"keys\" array)";
                return null;
            }
        }
        catch (JsonException e)
        {
            error = $"is not JSON: {e.Message}";
            return null;
        }

        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(Encoding.UTF8.GetString(json));
        }
        catch (ArgumentException)
        {
            error = "is not a JWKS: a key in \"keys\" is not a JSON Web Key";
            return null;
        }

        var usable = set.Keys.Where(Usable).ToList();
        error = usable.Count == 0 ? $"holds no RSA or EC P-256 signing key ({set.Keys.Count} keys of other kinds or uses)" : null;
        return usable.Count == 0 ? null : usable;
    }

    private static bool Usable(JsonWebKey key) =>
        (key.Use is null or "" or "sig")
        && (key.Alg is null or "" or SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.EcdsaSha256)
        && ((key.Kty == "RSA" && !string.IsNullOrEmpty(key.N) && !string.IsNullOrEmpty(key.E))
            || (key.Kty == "EC" && key.Crv == "P-256" && !string.IsNullOrEmpty(key.X) && !string.IsNullOrEmpty(key.Y)));

    /// <summary>One load per source at a time; its result replaces the entry's keys.</summary>
    private Task<SigningKeys> Load(Entry entry, string source, SigningKeys? previous)
    {
        lock (entry.Gate)
        {
            if (entry.Loading is { IsCompleted: false } loading)
            {
                return loading;
            }

            if (entry.Current != previous)
            {
                return Task.FromResult(entry.Current!); // another request loaded it meanwhile
            }

            entry.Loading = LoadAsync(entry, source, previous);
            return entry.Loading;
        }
    }

    private async Task<SigningKeys> LoadAsync(Entry entry, string source, SigningKeys? previous)
    {
        await Task.Yield();
        long start = _time.GetTimestamp();
        string error;
        using (var timeout = new CancellationTokenSource(_options.JwksTimeout, _time))
        {
            try
            {
                byte[] bytes = await ReadAsync(source, timeout.Token);
                if (Parse(bytes, out string? parseError) is { } keys)
                {
                    LogLoaded(_logger, keys.Count, source);
                    return entry.Current = new SigningKeys(keys, null, start, _options.JwksRefresh);
                }

                error = parseError!;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                error = $"took longer than {_options.JwksTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s to load";
            }
            catch (HttpRequestException e)
            {
                error = e.StatusCode is { } code ? $"was answered with HTTP {(int)code}" : "could not be fetched (no connection)";
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                error = "is not a file that exists";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                error = $"could not be read: {e.Message}";
            }
        }

        LogFailed(_logger, source, error, previous?.Keys is not null);
        return entry.Current = new SigningKeys(previous?.Keys, error, start, _options.JwksRetry);
    }

    private async Task<byte[]> ReadAsync(string source, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                throw new InvalidDataException($"it is larger than {MaxBytes} bytes");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBytes)
                {
                    throw new InvalidDataException($"it is larger than {MaxBytes} bytes");
                }
            }

            return buffer.ToArray();
        }

        string path = uri is { IsFile: true } ? uri.LocalPath : Path.GetFullPath(source);
        return new FileInfo(path).Length > MaxBytes
            ? throw new InvalidDataException($"it is larger than {MaxBytes} bytes")
            : await File.ReadAllBytesAsync(path, cancellationToken);
    }

    private sealed class Entry
    {
        public readonly Lock Gate = new();

        public volatile SigningKeys? Current;

        public Task<SigningKeys>? Loading;
    }

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "Loaded {Count} signing keys from JWKS {Source}")]
    private static partial void LogLoaded(ILogger logger, int count, string source);

    [LoggerMessage(EventId = 53, Level = LogLevel.Warning, Message = "JWKS {Source} {Error} (keeping the previous keys: {KeptPrevious})")]
    private static partial void LogFailed(ILogger logger, string source, string error, bool keptPrevious);
}

/// <summary>A JWKS as last loaded: its keys (the previous ones when a reload failed), the last error, and when to load it again.</summary>
internal sealed class SigningKeys(IReadOnlyList<JsonWebKey>? keys, string? error, long loadedAt, TimeSpan freshFor)
{
    public IReadOnlyList<JsonWebKey>? Keys { get; } = keys;

    public string? Error { get; } = error;

    public bool Has(string kid) => Keys?.Any(k => k.KeyId == kid) == true;

    public bool Due(TimeProvider time) => time.GetElapsedTime(loadedAt) >= freshFor;

    public bool Retriable(TimeProvider time, TimeSpan retry) => time.GetElapsedTime(loadedAt) >= retry;
}
