using Serving.Charts.Tests.Infrastructure;

namespace Serving.Charts.Tests;

/// <summary><c>helm lint --strict</c> (warnings fail) with each values file, for today's Kubernetes and for 1.20.</summary>
public sealed class LintTests
{
    [Theory]
    [InlineData("", "1.35.0")]
    [InlineData("", "1.20.2")]
    [InlineData("production.yaml", "1.35.0")]
    [InlineData("keda-and-prometheus.yaml", "1.29.0")]
    [InlineData("minimal.yaml", "1.20.2")]
    public async Task Helm_lint_passes_strictly(string values, string kubeVersion)
    {
        var result = await Chart.HelmAsync(
            ["lint", "--strict", Chart.Path, "--namespace", "serving-system", "--kube-version", kubeVersion, .. values.Length == 0 ? [] : new[] { "-f", Chart.Values(values) }]);
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.StandardOutput, StringComparison.Ordinal);
    }
}
