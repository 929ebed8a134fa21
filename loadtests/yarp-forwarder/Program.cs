// A bare YARP reverse proxy for the gateway benchmark: `yarp-forwarder --listen 127.0.0.1:PORT --backend http://127.0.0.1:PORT`.
// Every request goes to the backend through MapForwarder's defaults; the gateway's own work is what it costs beyond this.
using System.Net;

if (args is not ["--listen", var listen, "--backend", var backend] || !IPEndPoint.TryParse(listen, out var endpoint))
{
    await Console.Error.WriteLineAsync("usage: yarp-forwarder --listen 127.0.0.1:PORT --backend http://127.0.0.1:PORT");
    return 2;
}

// The content root is the program's folder, not the working directory: the default configuration reloads
// appsettings.json from the content root by watching every folder below it (one inotify watch each), which
// cost seconds of CPU at each start in a large working directory (a repository, where ./run.sh starts it).
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(endpoint);
});
builder.Services.AddHttpForwarder();

var app = builder.Build();
app.MapForwarder("/{**catch-all}", backend);
await app.RunAsync();
return 0;
