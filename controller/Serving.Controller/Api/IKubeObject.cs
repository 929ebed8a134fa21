namespace Serving.Controller.Api;

/// <summary>The members every kind this library loads shares (Kubernetes TypeMeta + ObjectMeta).</summary>
public interface IKubeObject
{
    string? ApiVersion { get; }

    string? Kind { get; }

    ObjectMeta Metadata { get; }
}
