using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Scaler.Feed;

/// <summary>The wire form of the feed's records in Redis: JSON with short names, readable with <c>redis-cli</c>.</summary>
internal static class ReportJson
{
    public static byte[] Encode(ReplicaReport report) => JsonSerializer.SerializeToUtf8Bytes(
        new ReportDto(report.Replica, report.Time.ToUnixTimeMilliseconds(), [.. report.Revisions.Select(r => new LoadDto(ToDto(r.Revision), r.Concurrency, r.Arrivals))]),
        FeedJsonContext.Default.ReportDto);

    public static byte[] Encode(RevisionId revision) =>
        JsonSerializer.SerializeToUtf8Bytes(ToDto(revision), FeedJsonContext.Default.RevisionDto);

    /// <exception cref="JsonException">The bytes are not a report.</exception>
    public static ReplicaReport DecodeReport(ReadOnlySpan<byte> utf8)
    {
        var dto = JsonSerializer.Deserialize(utf8, FeedJsonContext.Default.ReportDto) ?? throw new JsonException("a report is null");
        if (string.IsNullOrEmpty(dto.Replica) || dto.Revisions is null)
        {
            throw new JsonException("a report needs a replica and its revisions");
        }

        var loads = new RevisionLoad[dto.Revisions.Length];
        for (int i = 0; i < loads.Length; i++)
        {
            var load = dto.Revisions[i] ?? throw new JsonException("a revision entry is null");
            if (load.Concurrency < 0 || load.Arrivals < 0)
            {
                throw new JsonException($"revision {load.Revision} has a negative count");
            }

            loads[i] = new RevisionLoad(FromDto(load.Revision), load.Concurrency, load.Arrivals);
        }

        return new ReplicaReport(dto.Replica, DateTimeOffset.FromUnixTimeMilliseconds(dto.Time), loads);
    }

    /// <exception cref="JsonException">The bytes are not a revision.</exception>
    public static RevisionId DecodeRevision(ReadOnlySpan<byte> utf8) =>
        FromDto(JsonSerializer.Deserialize(utf8, FeedJsonContext.Default.RevisionDto));

    private static RevisionDto ToDto(RevisionId id) => new(id.Namespace, id.Service, id.Component, id.Revision);

    private static RevisionId FromDto(RevisionDto? dto) =>
        dto is { Namespace.Length: > 0, Service.Length: > 0, Component.Length: > 0, Revision.Length: > 0 }
            ? new RevisionId(dto.Namespace, dto.Service, dto.Component, dto.Revision)
            : throw new JsonException("a revision needs ns, svc, c and rev");

    internal sealed record ReportDto(
        [property: JsonPropertyName("replica")] string Replica,
        [property: JsonPropertyName("t")] long Time,
        [property: JsonPropertyName("revisions")] LoadDto[] Revisions);

    internal sealed record LoadDto(
        [property: JsonPropertyName("r")] RevisionDto Revision,
        [property: JsonPropertyName("c")] int Concurrency,
        [property: JsonPropertyName("a")] long Arrivals);

    internal sealed record RevisionDto(
        [property: JsonPropertyName("ns")] string Namespace,
        [property: JsonPropertyName("svc")] string Service,
        [property: JsonPropertyName("c")] string Component,
        [property: JsonPropertyName("rev")] string Revision);
}

[JsonSerializable(typeof(ReportJson.ReportDto))]
[JsonSerializable(typeof(ReportJson.RevisionDto))]
internal sealed partial class FeedJsonContext : JsonSerializerContext;
