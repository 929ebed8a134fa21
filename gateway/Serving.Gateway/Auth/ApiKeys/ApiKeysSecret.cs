using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Admin;
using Serving.Gateway.Model;
using Serving.Kubernetes.Client;
using Serving.Kubernetes.Informers;

namespace Serving.Gateway.Auth.ApiKeys;

/// <summary>
/// The API keys of a gateway in a cluster (<c>--api-keys-secret [NAMESPACE/]NAME</c>): the data of one Secret, each
/// entry a key's name and the key (<see cref="ApiKeySet.From"/>'s rules). An informer lists and watches that Secret only
/// (<c>fieldSelector=metadata.name=NAME</c>, which RBAC can grant by <c>resourceNames</c>), so a change applies as soon
/// as the watch delivers it, and a broken watch is resumed with backoff while the last keys stay. No Secret: no keys
/// (annotated services answer 401/403). A version that does not parse is logged by entry name and the last good keys
/// stay. Every namespace sees the same keys. The gateway is not ready (<see cref="Readiness"/>) until the Secret's keys
/// are known: read and valid, or known missing; a first version that does not parse keeps it unready until a valid one
/// comes, as a gateway with an <c>--api-keys</c> file it cannot read does not start.
/// </summary>
internal sealed partial class ApiKeysSecret(KubeApi api, string @namespace, string name, TimeProvider time, ILoggerFactory loggers)
    : BackgroundService, IApiKeyStore
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ILogger _logger = loggers.CreateLogger<ApiKeysSecret>();
    private readonly Lock _applying = new();
    private readonly TaskCompletionSource _known = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ApiKeySet? _keys;

    /// <summary><c>namespace/name</c>, for logs and messages.</summary>
    public string Secret => $"{@namespace}/{name}";

    /// <summary>For <c>/readyz</c>: done once the keys are known (the Secret read and valid, or known missing).</summary>
    public ReadinessInput Readiness => new($"no valid API keys from the Secret {Secret} yet", _known.Task);

    public ApiKeyLookup Find(ServiceKey target, ReadOnlySpan<char> presented) => _keys is { } keys
        ? new ApiKeyLookup(keys.Find(presented))
        : new ApiKeyLookup(null, $"the gateway holds no valid API keys from the Secret {Secret} yet");

    /// <summary>
    /// The keys in a Secret's <c>data</c> (base64, as the API server gives them; UTF-8 text once decoded). Throws
    /// <see cref="FormatException"/> naming the entry and what is wrong, never the key.
    /// </summary>
    public static ApiKeySet Read(JsonObject secret) =>
        ApiKeySet.From((secret["data"] as JsonObject ?? new JsonObject()).Select(entry => new ApiKeyEntry(null, entry.Key, Decode(entry.Key, entry.Value))));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var informer = new Informer(api, Resources.Secrets, @namespace, null, time, loggers.CreateLogger<Informer>())
        {
            FieldSelector = "metadata.name=" + name,
        };
        informer.Changed += _ => Apply(informer);
        LogWatching(_logger, Secret);
        var running = informer.RunAsync(stoppingToken);
        try
        {
            await informer.Synced.WaitAsync(stoppingToken);
            Apply(informer); // a Secret that is not there raises no change
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down before the first list
        }

        await running; // until the gateway stops: the informer retries every failure itself
    }

    private void Apply(Informer informer)
    {
        lock (_applying) // read the cache inside the lock, so that the last to apply applies the latest version
        {
            if (informer.Get(@namespace, name) is not { } secret)
            {
                _keys = ApiKeySet.From([]);
                _known.TrySetResult();
                LogMissing(_logger, Secret);
                return;
            }

            try
            {
                var keys = Read(secret);
                _keys = keys;
                _known.TrySetResult();
                LogLoaded(_logger, keys.Count, Secret);
            }
            catch (FormatException e)
            {
                LogRejected(_logger, Secret, e.Message, _keys is not null);
            }
        }
    }

    private static string Decode(string entry, JsonNode? value)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value?.GetValue<string>() ?? "");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new FormatException($"the value of '{entry}' is not base64");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException($"the key of '{entry}' is not UTF-8 text");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    [LoggerMessage(EventId = 56, Level = LogLevel.Information, Message = "Reading API keys from the Secret {Secret}")]
    private static partial void LogWatching(ILogger logger, string secret);

    [LoggerMessage(EventId = 57, Level = LogLevel.Information, Message = "Loaded {Count} API keys from the Secret {Secret}")]
    private static partial void LogLoaded(ILogger logger, int count, string secret);

    [LoggerMessage(EventId = 58, Level = LogLevel.Warning, Message = "The API keys Secret {Secret} does not exist: no API key is accepted")]
    private static partial void LogMissing(ILogger logger, string secret);

    [LoggerMessage(EventId = 59, Level = LogLevel.Error, Message = "API keys Secret {Secret} rejected (keeping the previous keys: {KeptPrevious}): {Reason}")]
    private static partial void LogRejected(ILogger logger, string secret, string reason, bool keptPrevious);
}
