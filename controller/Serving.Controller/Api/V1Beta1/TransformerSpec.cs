namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>spec.transformer</c>: inline containers only (kserve-api.md §1.5).</summary>
public sealed record TransformerSpec : ComponentSpec;
