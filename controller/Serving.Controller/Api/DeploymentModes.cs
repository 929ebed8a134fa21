namespace Serving.Controller.Api;

/// <summary>
/// <c>serving.kserve.io/deploymentMode</c> values. KServe renamed <c>Serverless</c> to <c>Knative</c> and
/// <c>RawDeployment</c> to <c>Standard</c> (v0.16); both spellings are accepted and the new one is reported (kserve-api.md §0).
/// </summary>
public static class DeploymentModes
{
    public const string Knative = "Knative";
    public const string Standard = "Standard";
    public const string LegacyServerless = "Serverless";
    public const string LegacyRawDeployment = "RawDeployment";
    public const string ModelMesh = "ModelMesh";

    /// <summary>Maps the legacy spellings to the new ones; anything else is returned unchanged (<c>ParseDeploymentMode</c>).</summary>
    public static string Normalize(string mode) => mode switch
    {
        LegacyServerless => Knative,
        LegacyRawDeployment => Standard,
        _ => mode,
    };

    /// <summary>True for the four spellings this platform serves.</summary>
    public static bool IsServed(string mode) => Normalize(mode) is Knative or Standard;

    /// <summary>
    /// The mode an object runs in: a recognised annotation, else the mode recorded in status (an object whose annotation
    /// was removed keeps running as it did), else the configured default. Unlike KServe, which pins the recorded mode
    /// forever, a changed annotation is a rollout onto revisions in the new mode (kserve-api.md §0; DESIGN.md).
    /// </summary>
    public static string Resolve(string? statusMode, string? annotation, string defaultMode)
    {
        if (annotation is not null && Normalize(annotation) is Knative or Standard or ModelMesh)
        {
            return Normalize(annotation);
        }

        if (!string.IsNullOrEmpty(statusMode))
        {
            return Normalize(statusMode);
        }

        return Normalize(defaultMode);
    }
}
