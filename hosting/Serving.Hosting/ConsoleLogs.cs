using Microsoft.Extensions.Logging;

namespace Serving.Hosting;

/// <summary>
/// The platform's console logs, the same in every process: one line per entry, stamped <c>HH:mm:ss.fff</c> (operators
/// line up the gateway's, the scaler's and a replica's lines by it; test harnesses print the last lines of a process
/// when it fails them).
/// </summary>
public static class ConsoleLogs
{
    /// <summary>
    /// Replaces the logging providers with the platform's console at <paramref name="level"/>; ASP.NET Core's own
    /// categories log warnings and above (a line per request otherwise).
    /// </summary>
    public static ILoggingBuilder AddServingConsole(this ILoggingBuilder logging, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return logging;
    }
}
