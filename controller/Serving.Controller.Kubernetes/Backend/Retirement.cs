using System.Globalization;
using System.Text.Json.Nodes;
using Serving.Controller.Api;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// When a revision that traffic left may lose its replicas. The status that moves traffic is written first, but every
/// gateway sees it a moment later (its watch); a revision with ready replicas therefore keeps them for <c>grace</c> after
/// traffic left it, as Knative keeps a revision for its scale-to-zero grace period. The moment traffic left is kept on
/// the Deployment (<see cref="RevisionLabels.RetiredAt"/>), so that a restarted controller waits out the same grace.
/// </summary>
/// <param name="revisit">Asks for the InferenceService (namespace, name) to be reconciled again after the delay.</param>
public sealed class Retirement(TimeSpan grace, TimeProvider time, Action<string, string, TimeSpan> revisit)
{
    public TimeSpan Grace => grace;

    /// <summary>
    /// What to do with a revision traffic left: <see cref="RetirementStep.Now"/> when nothing could still be sent to it (no
    /// ready replica, no grace) or its grace is over; otherwise mark it (once) and wait, with a reconcile asked for when
    /// the grace ends.
    /// </summary>
    public RetirementStep Step(JsonObject deployment, string service)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        int ready = deployment["status"]?["readyReplicas"]?.GetValue<int>() ?? 0;
        int replicas = deployment["spec"]?["replicas"]?.GetValue<int>() ?? 1;
        if (grace <= TimeSpan.Zero || replicas == 0 || ready == 0)
        {
            return RetirementStep.Now;
        }

        var now = time.GetUtcNow();
        if (RetiredAt(deployment) is not { } since)
        {
            revisit(ClusterCache.Namespace(deployment), service, grace);
            return RetirementStep.Mark(now);
        }

        var left = since + grace - now;
        if (left <= TimeSpan.Zero)
        {
            return RetirementStep.Now;
        }

        revisit(ClusterCache.Namespace(deployment), service, left);
        return RetirementStep.Wait;
    }

    public static DateTimeOffset? RetiredAt(JsonObject deployment) =>
        DateTimeOffset.TryParse(ClusterCache.Annotation(deployment, RevisionLabels.RetiredAt), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The retirement of one revision: go ahead, wait, or mark the moment traffic left and wait.</summary>
public sealed record RetirementStep(bool Proceed, DateTimeOffset? MarkAt)
{
    public static readonly RetirementStep Now = new(true, null);

    public static readonly RetirementStep Wait = new(false, null);

    public static RetirementStep Mark(DateTimeOffset at) => new(false, at);
}
