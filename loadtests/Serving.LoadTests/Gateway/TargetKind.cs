namespace Serving.LoadTests.Gateway;

/// <summary>What wrk talks to: the backend itself, or one of the proxies in front of it.</summary>
internal enum TargetKind
{
    Direct,
    Gateway,
    Nginx,
    Go,
    Yarp,
}
