using Xunit;

namespace Serving.TestCluster.Control;

/// <summary>
/// One control plane for a test collection (<c>ICollectionFixture&lt;ControlPlaneFixture&gt;</c>): it starts in a
/// few seconds and is shared by the collection's tests, each of which should work in a namespace of its own.
/// Derive from it to start more (a node agent, say) in the same fixture.
/// </summary>
public class ControlPlaneFixture : IAsyncLifetime
{
    private ControlPlane? _controlPlane;

    public ControlPlane ControlPlane => _controlPlane ?? throw new InvalidOperationException("the fixture is not initialized");

    protected virtual ControlPlaneOptions Options => new();

    public virtual async Task InitializeAsync() => _controlPlane = await ControlPlane.StartAsync(Options);

    public virtual async Task DisposeAsync()
    {
        if (_controlPlane is not null)
        {
            await _controlPlane.DisposeAsync();
        }
    }
}
