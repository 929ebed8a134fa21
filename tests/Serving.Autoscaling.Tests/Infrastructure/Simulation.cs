using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Kpa;

namespace Serving.Autoscaling.Tests.Infrastructure;

/// <summary>
/// A revision under load on virtual time, driven the way the local mode drives it: the gateway's totals are recorded
/// every 100 ms, a decision is taken every 2 s (Knative's tick), replicas asked for are ready one tick later and
/// replicas removed are gone at once.
/// </summary>
internal sealed class Simulation
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private const int StepsPerTick = 20;

    private readonly ManualTimeProvider _clock = new(Times.T0);
    private long _step;
    private double _arrivals;
    private int _requested;

    public Simulation(AutoscalingConfig config, int ready = 0)
    {
        Autoscaler = new RevisionAutoscaler(config, _clock);
        Ready = ready;
        _requested = ready;
    }

    public RevisionAutoscaler Autoscaler { get; }

    /// <summary>Requests in flight or held, summed over the revision.</summary>
    public double Concurrency { get; set; }

    /// <summary>Requests arriving per second.</summary>
    public double Rps { get; set; }

    public int Ready { get; private set; }

    public double Now => _step / 10.0;

    public List<(double Second, ScaleDecision Decision)> Decisions { get; } = [];

    public ScaleDecision Last => Decisions[^1].Decision;

    /// <summary>Runs up to and including <paramref name="second"/> (a decision at every even second).</summary>
    public void RunUntil(double second)
    {
        while (_step <= Math.Round(second * 10))
        {
            _arrivals += Rps * Step.TotalSeconds;
            Autoscaler.Record(Concurrency, (long)Math.Round(_arrivals, 6));
            if (_step % StepsPerTick == 0)
            {
                Ready = _requested;
                var decision = Autoscaler.Decide(Ready);
                Decisions.Add((Now, decision));
                _requested = decision.Replicas;
                Ready = Math.Min(Ready, decision.Replicas);
            }

            _step++;
            _clock.Advance(Step);
        }
    }

    public ScaleDecision DecisionAt(double second) => Decisions.Single(d => d.Second == second).Decision;
}
