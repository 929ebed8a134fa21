using Serving.Fuzz;

namespace Serving.Gateway.Tests.Proxy;

/// <summary>
/// CI's short pass of the fuzzer (loadtests/fuzz, 1,000,000 executions per target there): every parser of outside
/// input (V2 JSON and binary, V1 JSON, GJSON conditions, KServe YAML, the direct path's response head and chunked
/// decoder) only ever throws its documented error, on mutated inputs and on the inputs fuzzing found.
/// </summary>
public sealed class FuzzSmokeTests
{
    public static TheoryData<string> Names => [.. Targets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Mutated_inputs_only_ever_get_the_documented_error(string name)
    {
        var result = Fuzzer.Run(Targets.All.Single(t => t.Name == name), seed: 7, executions: name == "kserve-yaml" ? 1_500 : 4_000);

        Assert.True(result.Findings.Count == 0, string.Join("\n", result.Findings.Select(f => $"{f.Error}: {Convert.ToBase64String(f.Input)}")));
    }

    [Fact]
    public void An_input_slow_on_every_run_is_a_finding_and_one_slow_run_is_not()
    {
        byte[][] seeds = ["x"u8.ToArray()];
        int calls = 0;
        var stalledOnce = new FuzzTarget("stalled-once", seeds, _ => Thread.Sleep(Interlocked.Increment(ref calls) == 1 ? 1100 : 0), "none");
        var slow = new FuzzTarget("slow", seeds, _ => Thread.Sleep(1100), "none");

        Assert.Empty(Fuzzer.Run(stalledOnce, seed: 1, executions: 1).Findings); // a stalled machine, not the input
        var finding = Assert.Single(Fuzzer.Run(slow, seed: 1, executions: 1).Findings);
        Assert.StartsWith("a run took 1.", finding.Error, StringComparison.Ordinal);
        Assert.Equal(seeds[0], finding.Input);
    }

    // Inputs the fuzzer found; each crashed its parser with an undocumented exception before the fix.
    [Theory]
    [InlineData("v2-json", "eyJpbnB1dHMiOlt7Im5hbWUiOiJ1Iiwic2hhcGUiOlszXSwiZGF0YXR5cGUiOiJVSU5UNjQiLCJkYXRhIjpbMCwxODQ0Njc0NDA3MzcwOTU1MTYxNSwxXX0seyJuYW1lIjoiYiIsInNoYXBlIjpbMV0sImRhdGF0eXBlIjoiQk/PTCIsImRhdGEiOlt0cnVlXX1dfQ==")] // invalid UTF-8 in a string: 500
    [InlineData("v2-binary", "XQB7ImlucHV0cyI6W3sibmFtZSI6InMiLCJzaGFwZSI6WzJdLCJkYXRhdHlwZSI6IkJZVOpTIiwicGFyYW1ldGVycyI6eyJiaW5hcnlfZGF0YV9zaXplIjoxMH19XX0BAAAAYQEAAABi")]
    [InlineData("kserve-yaml", "a2luZDogSW5mZXJlbmNlU2VydmljZQphcGlWZXJzaW9uOiBzZXJ2aW5nLmtzZXJ2ZS5pby92MWJldGExCm1ldGFkYXRhOgo=")] // metadata: null
    public void Inputs_fuzzing_found_get_the_documented_error(string name, string base64)
    {
        Targets.All.Single(t => t.Name == name).Run(Convert.FromBase64String(base64));
    }
}
