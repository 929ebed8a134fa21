namespace Serving.Scaler.Feed;

/// <summary>
/// A revision as both ends of the feed name it: gateways report load under it, ScaledObject metadata selects it.
/// Components are KServe's lower-case names (<c>predictor</c>, <c>transformer</c>, <c>explainer</c>).
/// </summary>
public readonly record struct RevisionId(string Namespace, string Service, string Component, string Revision)
{
    public ComponentId ComponentId => new(Namespace, Service, Component);

    public override string ToString() => $"{Namespace}/{Service}/{Component}/{Revision}";
}

/// <summary>An InferenceService component: what a ScaledObject without a <c>revision</c> key scales on.</summary>
public readonly record struct ComponentId(string Namespace, string Service, string Component)
{
    public override string ToString() => $"{Namespace}/{Service}/{Component}";
}
