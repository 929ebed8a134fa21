namespace Serving.Gateway.Routing;

/// <summary>The random draw behind weighted traffic splits; injected so tests can be exact.</summary>
public interface ITrafficDraw
{
    /// <summary>A number in [0, 100).</summary>
    int Next();
}

public sealed class RandomTrafficDraw : ITrafficDraw
{
    public int Next() => Random.Shared.Next(100);
}
