using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;

namespace Serving.LoadTests.Tests.Scenarios;

public sealed class LostTests
{
    [Fact]
    public void Lost_is_sent_minus_2xx_with_client_errors_counted_apart()
    {
        RequestRecord[] records =
        [
            new(0, 1000, 200, 0), new(1, 1000, 204, 0), // answered
            new(2, 10, 503, 1), new(3, 10, 502, 0), new(4, 10, 504, 0), // the platform's failures
            new(5, 10, Outcome.TransportError, 0), new(6, 0, Outcome.Timeout, 0), new(7, 0, Outcome.NotSent, 0), // no answer, or never sent
            new(8, 10, 400, 0), new(9, 10, 404, 0), // the client's own errors
        ];

        var summary = ScenarioStats.Summarize(records);

        Assert.Equal((10, 2, 2, 6), (summary.Sent, summary.Ok, summary.ClientErrors, summary.Lost));
        Assert.Equal("1 × not sent (client full), 1 × client timeout, 1 × connection error, 1 × 400, 1 × 404, 1 × 502, 1 × 503, 1 × 504", summary.Errors);
        Assert.Equal(1.0, summary.P50Ms, 2);
    }

    [Fact]
    public void Percentiles_are_of_2xx_answers_only()
    {
        var records = Enumerable.Range(0, 100).Select(i => new RequestRecord(i, (i + 1) * 1000, 200, 0))
            .Append(new RequestRecord(100, 60_000_000, 504, 0)).ToList();

        var summary = ScenarioStats.Summarize(records);

        Assert.Equal(50, summary.P50Ms, 0);
        Assert.Equal(99, summary.P99Ms, 0);
        Assert.Equal(100, summary.MaxMs, 0);
    }

    [Fact]
    public void A_phase_counts_the_requests_sent_in_it()
    {
        RequestRecord[] records = [new(500_000, 3_000_000, 200, 0), new(1_500_000, 10, 503, 0), new(2_000_000, 10, 200, 0)];

        var phase = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, 1, 2));

        Assert.Equal((1, 0, 1), (phase.Sent, phase.Ok, phase.Lost));
    }
}
