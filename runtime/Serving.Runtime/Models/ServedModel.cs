using Serving.Runtime.Execution;

namespace Serving.Runtime.Models;

public enum ModelState
{
    Loading,
    Ready,
    Failed,
}

/// <summary>One model version as served: loading, ready with its executor, or failed with a reason.</summary>
public sealed class ServedModel(ModelLocation location)
{
    private volatile Loaded? _loaded;
    private volatile string? _error;

    public string Name => Location.Name;

    public string? Version => Location.Version;

    public ModelLocation Location { get; } = location;

    public ModelState State => _loaded is not null ? ModelState.Ready : _error is not null ? ModelState.Failed : ModelState.Loading;

    public string? Error => _error;

    public OnnxModel? Model => _loaded?.Model;

    public IModelExecutor? Executor => _loaded?.Executor;

    internal void SetReady(OnnxModel model, IModelExecutor executor) => _loaded = new Loaded(model, executor);

    internal void SetFailed(string error) => _error = error;

    private sealed record Loaded(OnnxModel Model, IModelExecutor Executor);
}
