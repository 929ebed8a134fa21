namespace Serving.TestCluster.Hosting;

/// <summary>
/// <c>--name value</c> / <c>--name=value</c> options of a stand-in's command line: each is taken once by name, and what
/// nobody took is an error naming it.
/// </summary>
internal sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">An argument that is not an option, or an option without a value.</exception>
    public CommandOptions(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            string name = arg[2..];
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                _values[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                _values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"option --{name} needs a value");
            }
        }
    }

    public string? Take(string name) => _values.Remove(name, out string? value) ? value : null;

    /// <summary>A number of seconds, or <paramref name="fallback"/> when the option is absent.</summary>
    /// <exception cref="ArgumentException">A value that is not a non-negative number.</exception>
    public TimeSpan TakeSeconds(string name, TimeSpan fallback) => Take(name) switch
    {
        null => fallback,
        string text when double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s >= 0 && double.IsFinite(s)
            => TimeSpan.FromSeconds(s),
        string text => throw new ArgumentException($"--{name} must be a number of seconds, not '{text}'"),
    };

    /// <summary>The first option nobody took, as an error message; null when every one was taken.</summary>
    public string? Unknown => _values.Count > 0 ? $"unknown option --{_values.Keys.First()}" : null;
}
