namespace Serving.LoadTests.Server;

/// <summary>
/// A server process to start: the executable, its arguments, and changes to the inherited environment (a null value
/// removes the variable, so that a setting in the caller's shell cannot leak into a configuration under test).
/// </summary>
internal sealed record ProcessSpec(
    string Name, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?>? Environment = null)
{
    /// <summary>How long stopping it may take after SIGTERM before SIGKILL: longer for a script that stops a whole lab.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The command line as the report shows it, environment settings first.</summary>
    public string CommandLine => string.Join(' ', (Environment ?? new Dictionary<string, string?>())
        .Where(e => e.Value is not null)
        .Select(e => $"{e.Key}={e.Value}")
        .Append(FileName)
        .Concat(Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));
}

/// <summary>
/// A GET that answers 2xx once the server is ready; <paramref name="Host"/> replaces the Host header when set. A
/// <c>tcp://host:port</c> URL is ready once it accepts a connection (servers that do not speak HTTP/1.1).
/// </summary>
internal sealed record ReadyProbe(Uri Url, string? Host = null)
{
    public static ReadyProbe Tcp(int port) => new(new Uri($"tcp://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
}
