namespace Serving.TestCluster.Processes;

/// <summary>What a finished command printed and how it exited.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Returns this result, or throws with the command's output when it exited non-zero.</summary>
    public CommandResult EnsureSuccess(string what) => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"{what} exited with {ExitCode}:\n{StandardError}\n{StandardOutput}".TrimEnd());
}
