using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// The tuning sweep: every single knob against the default (<see cref="First"/>), then the best two, their combination
/// and the combination written in runtimeconfig.json against the default again (<see cref="Second"/>). Each step's
/// threshold is the saving a variant had to beat there (<see cref="SweepChoice.Threshold"/>).
/// </summary>
internal sealed record SweepResult(
    PhaseCells First,
    IReadOnlyList<TuningVariant> FirstVariants,
    IReadOnlyList<(TuningVariant Variant, double Score)> FirstRanking,
    double FirstThreshold,
    PhaseCells? Second,
    IReadOnlyList<TuningVariant> SecondVariants,
    IReadOnlyList<(TuningVariant Variant, double Score)> SecondRanking,
    double SecondThreshold,
    TuningVariant? Recommended);
