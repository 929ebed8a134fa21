using Serving.Controller.Tests.Infrastructure;

namespace Serving.Controller.Tests.Defaulting;

/// <summary>Manifests in Defaulting/Golden: loaded, defaulted, validated and given a runtime; the outcome must match the recorded JSON.</summary>
public sealed class DefaultingGoldenTests
{
    public static TheoryData<string> Cases => Golden.Cases("Defaulting");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Admission_matches_the_recorded_outcome(string name) =>
        Golden.AssertMatches("Defaulting", name, Pipeline.Run(Golden.InputPath("Defaulting", name)));
}
