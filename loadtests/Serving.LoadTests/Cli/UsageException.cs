namespace Serving.LoadTests.Cli;

/// <summary>A command line that cannot be run; the CLI prints the message and the usage.</summary>
internal sealed class UsageException(string message) : Exception(message);
