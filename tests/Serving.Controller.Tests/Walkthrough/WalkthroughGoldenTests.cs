using Serving.Controller.Tests.Infrastructure;

namespace Serving.Controller.Tests.Walkthrough;

/// <summary>Manifests in Walkthrough/Golden: loaded, defaulted, validated and given a runtime; the outcome must match the recorded JSON.</summary>
public sealed class WalkthroughGoldenTests
{
    public static TheoryData<string> Cases => Golden.Cases("Walkthrough");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Admission_matches_the_recorded_outcome(string name) =>
        Golden.AssertMatches("Walkthrough", name, Pipeline.Run(Golden.InputPath("Walkthrough", name)));
}
