namespace Serving.LoadTests.Cli;

/// <summary>A benchmark that cannot start or go on (missing tool, model or server build); the CLI prints the message.</summary>
internal sealed class BenchmarkException(string message, Exception? inner = null) : Exception(message, inner);
