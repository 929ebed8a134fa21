using Microsoft.Extensions.Primitives;

namespace Serving.Gateway.Sources;

/// <summary>
/// A route source its owner sets whole (the local platform; tests). <see cref="Update"/> fires the change token on the
/// caller's thread, so the gateway has applied the snapshot when it returns.
/// </summary>
public sealed class InMemoryRouteSource : IRouteSource
{
    private readonly Lock _lock = new();
    private RouteSnapshot _snapshot = RouteSnapshot.Empty;
    private CancellationTokenSource _changed = new();

    public RouteSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public IChangeToken ChangeToken => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public void Update(RouteSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_lock)
        {
            Volatile.Write(ref _snapshot, snapshot);
            var changed = _changed;
            Volatile.Write(ref _changed, new CancellationTokenSource());
            changed.Cancel();
            changed.Dispose();
        }
    }
}
