namespace Serving.TestCluster.Keda;

/// <summary>A write to a scale target's <c>/scale</c>: by KEDA (0 ↔ active) or by the HPA (within its range), and why.</summary>
public sealed record ScaleRecord(DateTimeOffset At, string ScaledObject, int From, int To, string By, string Reason);
