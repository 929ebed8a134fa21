namespace Serving.Gateway.Graph.Conditions;

/// <summary>A condition outside the GJSON subset we evaluate; the message names the offending part and its position.</summary>
public sealed class GjsonSyntaxException(string message) : Exception(message);
