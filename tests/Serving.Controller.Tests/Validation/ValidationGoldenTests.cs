using Serving.Controller.Tests.Infrastructure;

namespace Serving.Controller.Tests.Validation;

/// <summary>Manifests in Validation/Golden: loaded, defaulted, validated and given a runtime; the outcome must match the recorded JSON.</summary>
public sealed class ValidationGoldenTests
{
    public static TheoryData<string> Cases => Golden.Cases("Validation");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Admission_matches_the_recorded_outcome(string name) =>
        Golden.AssertMatches("Validation", name, Pipeline.Run(Golden.InputPath("Validation", name)));
}
