using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Planning;

/// <summary>
/// One component's revisions and rollout state: what Knative's Configuration and Route hold for KServe. Nothing of it is
/// kept between reconciles: <see cref="RevisionBookkeeping.Rebuild"/> reads it back from the revisions that exist and the
/// status written last.
/// </summary>
/// <param name="Revisions">The revisions that exist, oldest first (names <c>{isvc}-{component}-{NNNNN}</c>).</param>
/// <param name="LatestReadyRevision">The newest revision that became ready (Knative's <c>latestReadyRevisionName</c>).</param>
/// <param name="LastNumber">The highest revision number used so far; the next revision takes the one after it.</param>
public sealed record RevisionBook(
    IReadOnlyList<RevisionRecord> Revisions,
    string? LatestReadyRevision,
    string? LatestRolledoutRevision,
    string? PreviousRolledoutRevision,
    IReadOnlyList<PlannedTraffic> Traffic,
    int LastNumber = 0)
{
    public static RevisionBook Empty { get; } = new([], null, null, null, []);

    public RevisionRecord? LatestCreated => Revisions.Count == 0 ? null : Revisions[^1];

    public RevisionRecord? Find(string name) => Revisions.FirstOrDefault(r => r.Name == name);
}

/// <summary>
/// A revision: its name, the digest of the template it was created from (<see cref="RevisionTemplate.Digest"/>; a revision
/// never changes), and the template itself when the backend keeps it (a Kubernetes Deployment carries only the digest).
/// </summary>
public sealed record RevisionRecord(string Name, string Fingerprint, RevisionTemplate? Template)
{
    public static RevisionRecord Of(string name, RevisionTemplate template) =>
        new(name, (template ?? throw new ArgumentNullException(nameof(template))).Digest, template);

    /// <summary>The <c>NNNNN</c> of <c>{prefix}-{NNNNN}</c>; 0 for a name of another form.</summary>
    public int Number => NumberOf(Name);

    public static int NumberOf(string? name)
    {
        int dash = name?.LastIndexOf('-') ?? -1;
        return dash >= 0 && int.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 0;
    }
}

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
        if (book.LatestCreated is not { } latest || latest.Fingerprint != template.Digest)
        {
            int number = Math.Max(book.LastNumber, book.LatestCreated?.Number ?? 0) + 1;
            book = book with { Revisions = [.. book.Revisions, RevisionRecord.Of($"{prefix}-{number:D5}", template)], LastNumber = number };
        }

        return Settle(book, canaryTrafficPercent, tagRouting, phaseOf);
    }

    /// <summary>
    /// Traffic and the rolled-out revisions, settled over the revisions that exist with no new template (a refused update
    /// keeps what the last accepted one made).
    /// </summary>
    public static RevisionBook Settle(RevisionBook book, long? canaryTrafficPercent, bool tagRouting, Func<string, RevisionPhase> phaseOf)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(phaseOf);

        // Knative: the newest created revision that became ready; a newer one that failed leaves it in place.
        string? latestReady = book.Revisions.LastOrDefault(r => phaseOf(r.Name) == RevisionPhase.Ready)?.Name;
        var next = book with { LatestReadyRevision = latestReady };
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

    /// <summary>The revisions that must run: those traffic reaches (a share or a tag), and the latest while it is not ready.</summary>
    public static IReadOnlyList<RevisionRecord> Live(RevisionBook book, Func<string, RevisionPhase> phaseOf)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(phaseOf);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in book.Traffic)
        {
            if (target.Revision is { } name && (target.Percent > 0 || target.Tag is not null))
            {
                names.Add(name);
            }
        }

        if (book.LatestCreated is { } latest && phaseOf(latest.Name) != RevisionPhase.Ready)
        {
            names.Add(latest.Name);
        }

        return [.. book.Revisions.Where(r => names.Contains(r.Name))];
    }

    /// <summary>
    /// Revisions that exist but do not run: the latest created one and the rolled-out ones (a rollback after a promotion
    /// returns to the previous one). Every other revision that does not run is deleted.
    /// </summary>
    public static IReadOnlyList<RevisionRecord> Retained(RevisionBook book, IReadOnlyList<RevisionRecord> live)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(live);
        var keep = new HashSet<string?>(StringComparer.Ordinal) { book.LatestCreated?.Name, book.LatestRolledoutRevision, book.PreviousRolledoutRevision };
        return [.. book.Revisions.Where(r => keep.Contains(r.Name) && !live.Contains(r))];
    }

    /// <summary>
    /// The book as the revisions that exist and the status written last leave it: revisions by number, the rolled-out ones
    /// as recorded (when they still exist), numbering after the highest number used. Traffic and the latest ready revision
    /// are settled by the next <see cref="Reconcile"/> or <see cref="Settle"/>.
    /// </summary>
    public static RevisionBook Rebuild(IEnumerable<RevisionRecord> existing, ComponentStatusSpec? status)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var revisions = existing.OrderBy(r => r.Number).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        string? Existing(string? name) => name is not null && revisions.Any(r => r.Name == name) ? name : null;
        int last = Math.Max(revisions.Count == 0 ? 0 : revisions.Max(r => r.Number), RevisionRecord.NumberOf(status?.LatestCreatedRevision));
        return new RevisionBook(revisions, null, Existing(status?.LatestRolledoutRevision), Existing(status?.PreviousRolledoutRevision), [], last);
    }

    /// <summary>
    /// Revisions a status shows as having been ready (latest ready, rolled out, routed): a revision that was ready stays
    /// ready at zero replicas and across restarts of the backend, as a Knative revision does.
    /// </summary>
    public static IReadOnlySet<string> EverReady(InferenceServiceStatus? status)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in status?.Components?.Values ?? [])
        {
            foreach (string? name in new[] { component.LatestReadyRevision, component.LatestRolledoutRevision, component.PreviousRolledoutRevision }
                .Concat(component.Traffic?.Select(t => t.RevisionName) ?? []))
            {
                if (name is not null)
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>
    /// The canary percent and tag routing a status's traffic was made with: the percent of the latest entry when a
    /// <c>prev</c> entry splits with it, else none; tag routing when the latest entry carries the <c>latest</c> tag.
    /// </summary>
    public static (long? CanaryPercent, bool TagRouting) FromTraffic(IReadOnlyList<TrafficTarget>? traffic)
    {
        var latest = traffic?.FirstOrDefault(t => t.LatestRevision == true);
        bool split = traffic?.Any(t => t.LatestRevision != true) == true;
        return (split ? latest?.Percent ?? 0 : null, latest?.Tag == LatestTag);
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
