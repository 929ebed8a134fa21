// A bare YARP reverse proxy for the gateway benchmark: `yarp-forwarder --listen 127.0.0.1:PORT --backend http://127.0.0.1:PORT`.
// Every request goes to the backend through MapForwarder's defaults; the gateway's own work is what it costs beyond this.
using System.Net;

if (args is not ["--listen", var listen, "--backend", var backend] || !IPEndPoint.TryParse(listen, out var endpoint))
{
    await Console.Error.WriteLineAsync("usage: yarp-forwarder --listen 127.0.0.1:PORT --backend http://127.0.0.1:PORT");
    return 2;
}

// Rooted at the program's folder as the platform's hosts are (Serving.Hosting's ServerBuilder says why); nothing of ours
// is referenced here, so that the baseline is YARP alone.
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
