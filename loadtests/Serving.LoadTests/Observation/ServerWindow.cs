namespace Serving.LoadTests.Observation;

/// <summary>
/// What the server's own metrics say about one measured window: rows per ONNX Runtime <c>Run</c>, the share of
/// wall time spent inside <c>Run</c> (summed over concurrent calls, so above 1 when requests run side by side), time queued for a batch, and in-server request time (body read to response).
/// </summary>
internal sealed record ServerWindow(
    double RowsPerRun,
    double RunsPerSecond,
    double RunBusy,
    double RunMs,
    double BatchWaitMs,
    double RequestMs,
    double ServerErrors);
