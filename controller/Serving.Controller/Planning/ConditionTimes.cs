using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Planning;

/// <summary>Conditions keep their <c>lastTransitionTime</c> while their status, reason and message stay the same.</summary>
public static class ConditionTimes
{
    public static InferenceServiceStatus Keep(InferenceServiceStatus? previous, InferenceServiceStatus next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous?.Conditions is not { } old || next.Conditions is not { } conditions)
        {
            return next;
        }

        return next with
        {
            Conditions =
            [
                .. conditions.Select(c => old.FirstOrDefault(o => o.Type == c.Type) is { } o
                    && o.Status == c.Status && o.Reason == c.Reason && o.Message == c.Message
                        ? c with { LastTransitionTime = o.LastTransitionTime }
                        : c),
            ],
        };
    }
}
