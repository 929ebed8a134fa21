using System.Globalization;

namespace Serving.LoadTests.Cli;

/// <summary>
/// A benchmark's command line: <c>--name value</c>, <c>--name=value</c> and bare flags. Each option is taken once by
/// the benchmark's parser; <see cref="EnsureAllTaken"/> then rejects whatever nobody asked for.
/// </summary>
internal sealed class OptionReader
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public OptionReader(IReadOnlyList<string> args, IReadOnlySet<string> flagNames)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            string name = arg[2..];
            if (flagNames.Contains(name))
            {
                _flags.Add(name);
                continue;
            }

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
                throw new UsageException($"option --{name} needs a value");
            }
        }
    }

    public bool Flag(string name) => _flags.Remove(name);

    public string? Text(string name) => _values.Remove(name, out string? v) ? v : null;

    public TimeSpan? Seconds(string name, double min) =>
        Text(name) is not { } value ? null
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= min && s <= 3600
            ? TimeSpan.FromSeconds(s)
            : throw new UsageException($"--{name} must be a number of seconds from {min} to 3600, not '{value}'");

    public int[]? Ints(string name, int min) =>
        Text(name)?.Split(',').Select(v =>
            int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= 4096
                ? n
                : throw new UsageException($"--{name} takes integers from {min} to 4096, not '{v}'")).Distinct().ToArray();

    public int? Int(string name, int min, int max = 4096) =>
        Text(name) is not { } value ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new UsageException($"--{name} takes one integer from {min} to {max}, not '{value}'");

    public double[]? Doubles(string name) =>
        Text(name)?.Split(',').Select(v =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= 0 && n <= 1000
                ? n
                : throw new UsageException($"--{name} takes numbers from 0 to 1000, not '{v}'")).Distinct().ToArray();

    public void EnsureAllTaken()
    {
        if (_values.Count > 0)
        {
            throw new UsageException($"unknown option --{_values.Keys.First()}");
        }

        if (_flags.Count > 0)
        {
            throw new UsageException($"option --{_flags.First()} does not apply here");
        }
    }
}
