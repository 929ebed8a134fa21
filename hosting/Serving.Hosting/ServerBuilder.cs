using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Serving.Hosting;

/// <summary>Where every server process of the platform (gateway, scaler, runtime, controller) starts.</summary>
public static class ServerBuilder
{
    /// <summary>A slim web builder rooted at the program's folder (<see cref="CreateSlim"/>), logging to the platform's console at <paramref name="level"/>.</summary>
    public static WebApplicationBuilder Create(LogLevel level)
    {
        var builder = CreateSlim();
        builder.Logging.AddServingConsole(level);
        return builder;
    }

    /// <summary>
    /// A slim web builder rooted at the program's folder, with the default logging. The content root is the program's
    /// folder, not the working directory: the default configuration reloads appsettings.json from the content root by
    /// watching every folder below it (one inotify watch each), which cost seconds of CPU at each start in a large
    /// working directory (a repository, where ./run.sh starts the platform).
    /// </summary>
    public static WebApplicationBuilder CreateSlim() =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
}
