using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using OpenTelemetry;
using OpenTelemetry.Resources;

namespace Serving.Telemetry.Tracing;

/// <summary>
/// Spans as JSON lines (<see cref="TraceFile"/> reads them back), appended to one file that several processes may share:
/// the local platform and every runtime it starts write to the same file, so one cold start is one trace in one place.
/// Each batch is one write to a file opened with O_APPEND, so lines of different processes never interleave.
/// </summary>
public sealed partial class JsonLinesExporter : BaseExporter<Activity>
{
    private readonly SafeFileHandle _file;
    private string? _service;

    public JsonLinesExporter(string path)
    {
        _file = AppendOnly.Open(path);
    }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        _service ??= ParentProvider?.GetResource().Attributes.FirstOrDefault(a => a.Key == "service.name").Value as string ?? "unknown";
        using var buffer = new MemoryStream();
        foreach (var span in batch)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                Write(json, span, _service);
            }

            buffer.WriteByte((byte)'\n');
        }

        try
        {
            AppendOnly.Write(_file, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            return ExportResult.Success;
        }
        catch (IOException)
        {
            return ExportResult.Failure;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void Write(Utf8JsonWriter json, Activity span, string service)
    {
        json.WriteStartObject();
        json.WriteString("traceId", span.TraceId.ToHexString());
        json.WriteString("spanId", span.SpanId.ToHexString());
        json.WriteString("parentSpanId", span.ParentSpanId == default ? "" : span.ParentSpanId.ToHexString());
        json.WriteString("name", span.DisplayName);
        json.WriteString("kind", span.Kind.ToString());
        json.WriteString("service", service);
        json.WriteString("start", span.StartTimeUtc.ToString("O", CultureInfo.InvariantCulture));
        json.WriteNumber("durationMs", span.Duration.TotalMilliseconds);
        json.WriteString("status", span.Status.ToString());
        json.WriteStartObject("attributes");
        foreach (var (key, value) in span.TagObjects)
        {
            switch (value)
            {
                case bool flag:
                    json.WriteBoolean(key, flag);
                    break;
                case int or long or double:
                    json.WriteNumber(key, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
                default:
                    json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A file opened for appending only: on Linux O_APPEND, so that each write lands whole at the end whoever else writes.</summary>
    private static partial class AppendOnly
    {
        private const int WriteOnly = 0x1, Create = 0x40, Append = 0x400;

        public static SafeFileHandle Open(string path)
        {
            if (!OperatingSystem.IsLinux())
            {
                return File.OpenHandle(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }

            byte[] name = Encoding.UTF8.GetBytes(path + "\0");
            int fd = open(name, WriteOnly | Create | Append, Convert.ToInt32("644", 8));
            return fd >= 0
                ? new SafeFileHandle(fd, ownsHandle: true)
                : throw new IOException($"cannot open {path} to append spans (errno {Marshal.GetLastPInvokeError()})");
        }

        public static void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes)
        {
            // pwrite on an O_APPEND file appends whatever the offset (Linux); elsewhere the handle is at its end.
            RandomAccess.Write(file, bytes, OperatingSystem.IsLinux() ? 0 : RandomAccess.GetLength(file));
        }

        [LibraryImport("libc", SetLastError = true)]
        private static partial int open(byte[] path, int flags, int mode);
    }
}
