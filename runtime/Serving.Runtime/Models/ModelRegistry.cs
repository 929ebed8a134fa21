using System.Globalization;
using Serving.Runtime.Protocol;

namespace Serving.Runtime.Models;

/// <summary>The models this process serves, by name and version. Owns their sessions and executors.</summary>
public sealed class ModelRegistry : IAsyncDisposable
{
    private readonly Dictionary<string, ServedModel[]> _byName;
    private volatile bool _draining;

    public ModelRegistry(IReadOnlyList<ModelLocation> locations)
    {
        All = [.. locations.Select(l => new ServedModel(l))];
        // Newest version first, so that a name alone resolves to the highest version.
        _byName = All.GroupBy(m => m.Name, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.OrderByDescending(m => m.Version is null ? 0 : long.Parse(m.Version, CultureInfo.InvariantCulture)).ToArray(),
            StringComparer.Ordinal);
        Names = [.. _byName.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<ServedModel> All { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>Ready when every model loaded and the process is not shutting down.</summary>
    public bool IsReady => !_draining && All.All(m => m.State == ModelState.Ready);

    public bool IsDraining => _draining;

    public void StartDraining() => _draining = true;

    public IReadOnlyList<ServedModel> Versions(string name) =>
        _byName.TryGetValue(name, out var versions) ? versions : throw InferenceException.ModelNotFound(name);

    /// <summary>The model version to serve; throws the KServe-style 404 when unknown.</summary>
    public ServedModel Find(string name, string? version)
    {
        var versions = Versions(name);
        if (version is null)
        {
            return versions[0];
        }

        return versions.FirstOrDefault(m => m.Version == version) ?? throw InferenceException.ModelNotFound(name, version);
    }

    /// <summary>Like <see cref="Find"/>, and the model must be loaded.</summary>
    public ServedModel FindReady(string name, string? version)
    {
        var model = Find(name, version);
        return model.State switch
        {
            ModelState.Ready => model,
            ModelState.Failed => throw new InferenceException(ErrorKind.ModelNotReady, $"Model with name {name} is not ready: {model.Error}"),
            _ => throw new InferenceException(ErrorKind.ModelNotReady, $"Model with name {name} is not ready."),
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var model in All)
        {
            if (model.Executor is { } executor)
            {
                await executor.DisposeAsync();
            }

            model.Model?.Dispose();
        }
    }
}
