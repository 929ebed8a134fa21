using Serving.Gateway.Model;

namespace Serving.Gateway.Revisions;

public readonly record struct RevisionKey(string Namespace, string Service, Component Component, string Revision)
{
    public override string ToString() => $"{Namespace}/{Service}/{ComponentNames.Of(Component)}/{Revision}";
}
