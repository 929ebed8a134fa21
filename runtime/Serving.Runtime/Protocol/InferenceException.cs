namespace Serving.Runtime.Protocol;

/// <summary>A failure the client is told about as <c>{"error": message}</c>.</summary>
public sealed class InferenceException(ErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;

    public static InferenceException BadInput(string message) => new(ErrorKind.BadInput, message);

    public static InferenceException ModelNotFound(string model, string? version = null) => new(
        ErrorKind.ModelNotFound,
        version is null
            ? $"Model with name {model} does not exist."
            : $"Model with name {model} and version {version} does not exist.");
}
