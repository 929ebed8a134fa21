using Serving.Controller.Tests.Infrastructure;

namespace Serving.Controller.Tests.RuntimeSelection;

/// <summary>Manifests in RuntimeSelection/Golden: loaded, defaulted, validated and given a runtime; the outcome must match the recorded JSON.</summary>
public sealed class RuntimeSelectionGoldenTests
{
    public static TheoryData<string> Cases => Golden.Cases("RuntimeSelection");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Admission_matches_the_recorded_outcome(string name) =>
        Golden.AssertMatches("RuntimeSelection", name, Pipeline.Run(Golden.InputPath("RuntimeSelection", name)));
}
