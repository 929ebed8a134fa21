namespace Serving.Autoscaling.Configuration;

/// <summary>One bad setting: the key (annotation or KServe field), the value as written, and what is wrong with it.</summary>
public sealed record AutoscalingConfigError(string Key, string Value, string Problem)
{
    public override string ToString() => $"{Key}: \"{Value}\" {Problem}";
}

/// <summary>Every bad setting of a revision at once, so that one status message can name them all.</summary>
public sealed class AutoscalingConfigException(IReadOnlyList<AutoscalingConfigError> errors)
    : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<AutoscalingConfigError> Errors { get; } = errors;
}
