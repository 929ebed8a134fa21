using Serving.Autoscaling.Configuration;

namespace Serving.Autoscaling.Tests.Configuration;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("0", 0)]
    [InlineData(" 10s ", 10_000)]
    [InlineData("-5s", -5_000)]
    [InlineData(".5s", 500)]
    [InlineData("1000us", 1)]
    [InlineData("1000000ns", 1)]
    public void Reads_gos_duration_format(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("60")]  // Go wants a unit except for 0
    [InlineData("")]
    [InlineData("s")]
    [InlineData("1x")]
    [InlineData("1..5s")]
    [InlineData("one minute")]
    [InlineData("1 m")]
    public void Rejects_what_go_rejects(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }
}
