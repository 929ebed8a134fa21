namespace Serving.Gateway.Model;

public static class ComponentNames
{
    public static string Of(Component component) => component switch
    {
        Component.Predictor => "predictor",
        Component.Transformer => "transformer",
        Component.Explainer => "explainer",
        _ => throw new ArgumentOutOfRangeException(nameof(component)),
    };

    public static bool TryParse(string name, out Component component)
    {
        (bool ok, component) = name switch
        {
            "predictor" => (true, Component.Predictor),
            "transformer" => (true, Component.Transformer),
            "explainer" => (true, Component.Explainer),
            _ => (false, Component.Predictor),
        };
        return ok;
    }
}
