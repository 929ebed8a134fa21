using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Kubernetes.Client;

namespace Serving.Controller.Kubernetes.Events;

/// <summary>A Kubernetes Event about an object: what <c>kubectl describe</c> shows under Events.</summary>
public sealed record ObjectEvent(string Type, string Reason, string Message)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary>
/// Writes Events (core/v1) about InferenceServices, so that <c>kubectl describe isvc</c> tells what the controller did and
/// why. An event that cannot be written is logged, never fails a reconcile.
/// </summary>
public sealed partial class EventRecorder(KubeApi api, TimeProvider time, ILogger<EventRecorder> logger)
{
    public async Task RecordAsync(JsonObject involved, ObjectEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(involved);
        ArgumentNullException.ThrowIfNull(@event);
        var metadata = involved["metadata"]!;
        string ns = metadata["namespace"]?.GetValue<string>() ?? "default";
        string name = metadata["name"]?.GetValue<string>() ?? "";
        string now = ObjectMeta.Timestamp(time.GetUtcNow());
        var value = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["generateName"] = name + ".", ["namespace"] = ns },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = involved["apiVersion"]?.GetValue<string>(),
                ["kind"] = involved["kind"]?.GetValue<string>(),
                ["name"] = name,
                ["namespace"] = ns,
                ["uid"] = metadata["uid"]?.GetValue<string>(),
                ["resourceVersion"] = metadata["resourceVersion"]?.GetValue<string>(),
            },
            ["type"] = @event.Type,
            ["reason"] = @event.Reason,
            ["message"] = @event.Message.Length > 1024 ? @event.Message[..1021] + "..." : @event.Message,
            ["source"] = new JsonObject { ["component"] = KubeApi.DefaultFieldManager },
            ["reportingComponent"] = KubeApi.DefaultFieldManager,
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
        };
        try
        {
            await api.CreateAsync(Resources.Events, ns, value, cancellationToken);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException)
        {
            LogNotRecorded(logger, $"{ns}/{name}", @event.Reason, e.Message);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "event {Reason} about {Object} not recorded: {Error}")]
    private static partial void LogNotRecorded(ILogger logger, string @object, string reason, string error);
}
