namespace Serving.Controller.Local.Diagnostics;

/// <summary>The steps of a replica's start, in the order a cold start passes them (model load and listening may swap).</summary>
public enum StartStep
{
    /// <summary>The platform's loop took a waiting request's activation signal (only starts caused by one have it).</summary>
    Activated,

    /// <summary>The runtime process was spawned (<c>Process.Start</c> returned).</summary>
    Spawned,

    /// <summary>The runtime said it loaded its (first) model, as seen on its output.</summary>
    ModelLoaded,

    /// <summary>The runtime said where Kestrel listens, as seen on its output.</summary>
    Listening,

    /// <summary>Its readiness endpoint first answered 200.</summary>
    Ready,

    /// <summary>It was first handed to the gateway's routing model as a ready endpoint (<c>ServiceCatalog.Set</c>).</summary>
    Routed,

    /// <summary>A request held at zero got its slot and was about to be forwarded (gateway side).</summary>
    Forwarded,
}
