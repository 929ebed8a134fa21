using Serving.Controller.Api.V1Alpha1;

namespace Serving.Controller.RuntimeSelection;

public enum RuntimeScope
{
    /// <summary>A <see cref="ServingRuntime"/> in the InferenceService's namespace.</summary>
    Namespaced,

    /// <summary>A <see cref="ClusterServingRuntime"/>.</summary>
    Cluster,
}

public enum RuntimeSelectionOutcome
{
    Selected,

    /// <summary>The predictor is a custom container: there is no runtime to choose.</summary>
    NotRequired,

    Failed,
}

/// <summary>The chosen runtime.</summary>
/// <param name="ProtocolVersion">The model's protocol, or when it names none the runtime's lowest-ranked one (null when the runtime lists none).</param>
/// <param name="AutoSelected">False when the manifest named the runtime.</param>
/// <param name="Replaces">The KServe built-in runtime the manifest named, when this runtime was chosen in its place.</param>
public sealed record SelectedRuntime(
    string Name, RuntimeScope Scope, IServingRuntime Runtime, string? ProtocolVersion, bool AutoSelected, string? Replaces = null);

/// <summary>Why no runtime: KServe's <c>lastFailureInfo</c> reason and message, and the error it reconciles with.</summary>
/// <param name="Reason">A <c>FailureReasons</c> value: <c>NoSupportingRuntime</c>, <c>RuntimeNotRecognized</c>, <c>RuntimeDisabled</c>, <c>InvalidPredictorSpec</c>.</param>
/// <param name="Message">KServe's fixed <c>lastFailureInfo.message</c> text.</param>
/// <param name="Error">The specific error (names the runtime or the model format); what conditions and events should say.</param>
public sealed record RuntimeSelectionFailure(string Reason, string Message, string Error);

public sealed record RuntimeSelectionResult(RuntimeSelectionOutcome Outcome, SelectedRuntime? Runtime, RuntimeSelectionFailure? Failure)
{
    public static RuntimeSelectionResult NotRequired { get; } = new(RuntimeSelectionOutcome.NotRequired, null, null);

    public static RuntimeSelectionResult Selected(SelectedRuntime runtime) => new(RuntimeSelectionOutcome.Selected, runtime, null);

    public static RuntimeSelectionResult Failed(string reason, string message, string error) =>
        new(RuntimeSelectionOutcome.Failed, null, new RuntimeSelectionFailure(reason, message, error));
}

public sealed record RuntimeSelectionOptions
{
    public static RuntimeSelectionOptions Default { get; } = new();

    /// <summary>
    /// When a manifest names a KServe built-in runtime (<see cref="KServeRuntimeNames"/>) that is not installed, choose as
    /// if it named none: the walkthrough's <c>runtime: kserve-mlserver</c> then runs an ONNX model on this platform's
    /// runtime, and a format nothing here serves gets <c>NoSupportingRuntime</c> naming the format (where KServe would say
    /// <c>RuntimeNotRecognized</c> about a runtime this platform never installs). An installed runtime of that name is
    /// used as KServe would use it.
    /// </summary>
    public bool ReplaceMissingKServeRuntimes { get; init; } = true;
}
