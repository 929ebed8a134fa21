using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Planning;

/// <summary>Conditions keep their <c>lastTransitionTime</c> while their status, reason and message stay the same.</summary>
public static class ConditionTimes
{
    public static InferenceServiceStatus Keep(InferenceServiceStatus? previous, InferenceServiceStatus next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return next.Conditions is { } conditions ? next with { Conditions = Keep(previous?.Conditions, conditions) } : next;
    }

    /// <summary><paramref name="next"/>, each condition with its previous transition time when nothing about it changed.</summary>
    public static IReadOnlyList<Condition> Keep(IReadOnlyList<Condition>? previous, IReadOnlyList<Condition> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is null)
        {
            return next;
        }

        return
        [
            .. next.Select(c => previous.FirstOrDefault(o => o.Type == c.Type) is { LastTransitionTime: not null } o
                && o.Status == c.Status && o.Reason == c.Reason && o.Message == c.Message
                    ? c with { LastTransitionTime = o.LastTransitionTime }
                    : c),
        ];
    }
}
