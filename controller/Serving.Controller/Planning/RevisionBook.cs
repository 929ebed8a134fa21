using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Planning;

/// <summary>
/// One component's revisions and rollout state, carried from one reconcile to the next: what Knative's Configuration
/// and Route hold for KServe, kept by the controller itself since there is no Knative here.
/// </summary>
/// <param name="Revisions">Every revision created, oldest first (names <c>{isvc}-{component}-{NNNNN}</c>).</param>
/// <param name="LatestReadyRevision">The newest revision that became ready (Knative's <c>latestReadyRevisionName</c>).</param>
public sealed record RevisionBook(
    IReadOnlyList<RevisionRecord> Revisions,
    string? LatestReadyRevision,
    string? LatestRolledoutRevision,
    string? PreviousRolledoutRevision,
    IReadOnlyList<PlannedTraffic> Traffic)
{
    public static RevisionBook Empty { get; } = new([], null, null, null, []);

    public RevisionRecord? LatestCreated => Revisions.Count == 0 ? null : Revisions[^1];

    public RevisionRecord? Find(string name) => Revisions.FirstOrDefault(r => r.Name == name);
}

/// <summary>A revision: its name, and the template it runs (a revision never changes once created).</summary>
public sealed record RevisionRecord(string Name, RevisionTemplate Template);

/// <summary>
/// A resolved traffic entry (Knative's <c>status.traffic</c>): <paramref name="LatestRevision"/> entries follow the
/// latest ready revision; <paramref name="Revision"/> is null only while no revision has ever been ready.
/// </summary>
public sealed record PlannedTraffic(string? Revision, int Percent, bool LatestRevision, string? Tag);

/// <summary>What the runtime observed about a revision since it was created.</summary>
public enum RevisionPhase
{
    /// <summary>Starting: no replica has become ready yet.</summary>
    Pending,

    /// <summary>A replica became ready once; the revision stays ready when it scales to zero (as a Knative revision does).</summary>
    Ready,

    /// <summary>Its replicas cannot start (model load failed, runtime exited).</summary>
    Failed,
}

/// <summary>
/// KServe's canary and rollout bookkeeping as pure functions (kserve-api.md §3.1–§3.3): the traffic block KServe writes
/// into the Knative Service, Knative's resolution of <c>latestRevision</c> to the latest ready revision, and
/// <c>PropagateStatus</c>'s promotion and rollback rules.
/// </summary>
public static class RevisionBookkeeping
{
    public const string LatestTag = "latest";
    public const string PrevTag = "prev";

    /// <summary>
    /// One reconcile of a component. A template that differs from the latest revision's creates the next revision;
    /// then traffic and the rolled-out revisions settle (a rollback after a promotion takes two passes, as in KServe).
    /// </summary>
    /// <param name="prefix">Revision names are <c>{prefix}-{NNNNN}</c>, prefix = <c>{isvc}-{component}</c>.</param>
    /// <param name="canaryTrafficPercent">The component's <c>canaryTrafficPercent</c>, null when absent.</param>
    /// <param name="phaseOf">What the backend observed about each revision.</param>
    public static RevisionBook Reconcile(
        RevisionBook book, string prefix, RevisionTemplate template, long? canaryTrafficPercent, bool tagRouting, Func<string, RevisionPhase> phaseOf)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(phaseOf);
        var revisions = book.Revisions;
        if (book.LatestCreated is not { } latest || latest.Template != template)
        {
            revisions = [.. revisions, new RevisionRecord($"{prefix}-{revisions.Count + 1:D5}", template)];
        }

        // Knative: the newest created revision that became ready; a newer one that failed leaves it in place.
        string? latestReady = revisions.LastOrDefault(r => phaseOf(r.Name) == RevisionPhase.Ready)?.Name;
        var next = book with { Revisions = revisions, LatestReadyRevision = latestReady };
        for (int pass = 0; pass < 3; pass++)
        {
            var settled = Propagate(next with { Traffic = Traffic(next.LatestRolledoutRevision, latestReady, canaryTrafficPercent, tagRouting) });
            if (settled.LatestRolledoutRevision == next.LatestRolledoutRevision
                && settled.PreviousRolledoutRevision == next.PreviousRolledoutRevision)
            {
                return settled;
            }

            next = settled;
        }

        return next with { Traffic = Traffic(next.LatestRolledoutRevision, latestReady, canaryTrafficPercent, tagRouting) };
    }

    /// <summary>
    /// §3.1: with a canary percent and something rolled out, the latest revision gets the percent and the rolled-out
    /// one (tag <c>prev</c>) the rest; otherwise the latest takes everything. <c>latest</c> resolves to the latest ready.
    /// </summary>
    public static IReadOnlyList<PlannedTraffic> Traffic(string? rolledOut, string? latestReady, long? canaryPercent, bool tagRouting)
    {
        string? latestTag = tagRouting ? LatestTag : null;
        if (canaryPercent is { } p && !string.IsNullOrEmpty(rolledOut))
        {
            int percent = (int)Math.Clamp(p, 0, 100);
            var latest = new PlannedTraffic(latestReady, percent, LatestRevision: true, latestTag);
            return percent < 100 ? [latest, new PlannedTraffic(rolledOut, 100 - percent, LatestRevision: false, PrevTag)] : [latest];
        }

        return [new PlannedTraffic(latestReady, 100, LatestRevision: true, latestTag)];
    }

    /// <summary>§3.2 step 3: promotion, and rollback detection.</summary>
    private static RevisionBook Propagate(RevisionBook book)
    {
        string? latestReady = book.LatestReadyRevision;
        if (latestReady is null
            || book.Traffic.FirstOrDefault(t => t.LatestRevision && t.Revision == latestReady) is not { } entry)
        {
            return book;
        }

        string? rolledOut = book.LatestRolledoutRevision;
        if (rolledOut != latestReady && entry.Percent == 100)
        {
            return book with { PreviousRolledoutRevision = rolledOut, LatestRolledoutRevision = latestReady };
        }

        int sum = book.Traffic.Where(t => t.Revision == latestReady).Sum(t => t.Percent);
        if (rolledOut == latestReady && latestReady == book.LatestCreated?.Name && entry.Percent < 100 && sum == 100
            && !string.IsNullOrEmpty(book.PreviousRolledoutRevision))
        {
            return book with { LatestRolledoutRevision = book.PreviousRolledoutRevision };
        }

        return book;
    }

    /// <summary>The revisions that must run: those traffic reaches (a share or a tag), and the latest while it starts.</summary>
    public static IReadOnlyList<RevisionRecord> Live(RevisionBook book, Func<string, RevisionPhase> phaseOf)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in book.Traffic)
        {
            if (target.Revision is { } name && (target.Percent > 0 || target.Tag is not null))
            {
                names.Add(name);
            }
        }

        if (book.LatestCreated is { } latest && phaseOf(latest.Name) == RevisionPhase.Pending)
        {
            names.Add(latest.Name);
        }

        return [.. book.Revisions.Where(r => names.Contains(r.Name))];
    }

    /// <summary>The status copy of the traffic, with tag URLs as Knative writes them.</summary>
    public static IReadOnlyList<TrafficTarget> StatusTraffic(RevisionBook book, Func<string, string> tagUrl) =>
    [
        .. book.Traffic.Select(t => new TrafficTarget
        {
            Tag = t.Tag,
            RevisionName = t.Revision,
            LatestRevision = t.LatestRevision,
            Percent = t.Percent,
            Url = t.Tag is { } tag ? tagUrl(tag) : null,
        }),
    ];
}
