using System.Diagnostics;
using System.Text;
using Serving.Runtime.Tests.Infrastructure;
using Serving.Telemetry.Tracing;

namespace Serving.Runtime.Tests.EndToEnd;

public sealed class TracingTests
{
    [Fact]
    public async Task A_traced_request_shows_its_queue_wait_and_run_under_the_callers_span_in_the_trace_file()
    {
        string file = Path.Combine(Path.GetTempPath(), $"serving-trace-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var runtime = RuntimeProcess.Start("--model-dir", RepoPaths.Iris, "--model-name", "iris", "--trace-to", file);
            using var client = await runtime.ReadyClientAsync();
            var trace = ActivityTraceId.CreateRandom();
            var caller = ActivitySpanId.CreateRandom();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris/infer")
            {
                Content = new StringContent("""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{trace}-{caller}-01");
            using var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode);

            IReadOnlyList<SpanRecord> spans = [];
            for (int i = 0; i < 100 && spans.Count(s => s.TraceId == trace.ToHexString()) < 3; i++)
            {
                await Task.Delay(100); // the exporter writes about once a second
                spans = TraceFile.Read(file);
            }

            var mine = spans.Where(s => s.TraceId == trace.ToHexString()).ToList();
            var server = Assert.Single(mine, s => s.Name == "runtime.request");
            Assert.Equal(caller.ToHexString(), server.ParentSpanId);
            Assert.Equal("serving-runtime", server.Service);
            Assert.Equal("iris", server.Attributes["serving.model"]);
            var queue = Assert.Single(mine, s => s.Name == "runtime.queue");
            var run = Assert.Single(mine, s => s.Name == "runtime.run");
            Assert.All([queue, run], s => Assert.Equal(server.SpanId, s.ParentSpanId));
            Assert.Equal("1", run.Attributes["serving.batch.rows"]);
            Assert.True(queue.End <= run.Start.AddMilliseconds(0.001), "the queue wait ends when the Run starts");
            Assert.True(run.Start >= server.Start && run.End <= server.End, "the Run lies within the request");
            Assert.Equal(3, mine.Count);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
