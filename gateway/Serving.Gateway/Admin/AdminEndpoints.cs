using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Admin;

/// <summary>The admin port: liveness, and what the gateway routes right now with each revision's load.</summary>
internal static class AdminEndpoints
{
    public static Task Healthz(HttpContext context) => WriteAsync(context, w => w.WriteString("status", "ok"));

    /// <summary>
    /// Ready once every <see cref="ReadinessInput"/> has completed (cluster mode: the route source's first routes, every
    /// watch listed; the API-key Secret's first read); 503 naming the first one still awaited before.
    /// </summary>
    public static Task Readyz(HttpContext context, IReadOnlyList<ReadinessInput> inputs)
    {
        if (inputs.FirstOrDefault(i => !i.Done.IsCompletedSuccessfully) is not { } waiting)
        {
            return WriteAsync(context, w => w.WriteString("status", "ready"));
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return WriteAsync(context, w => w.WriteString("status", waiting.Waiting));
    }

    /// <summary>The routing view: per service and component, the revisions with their replicas and load.</summary>
    public static Task Status(HttpContext context, ServiceCatalog catalog)
    {
        var table = catalog.Current;
        var revisions = catalog.Revisions.ToLookup(r => (r.Key.Namespace, r.Key.Service, r.Key.Component));
        return WriteAsync(context, w =>
        {
            w.WriteNumber("routingVersion", table.Version);
            w.WriteNumber("held", catalog.Held);
            w.WriteStartArray("services");
            foreach (var service in table.Services.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("namespace", service.Key.Namespace);
                w.WriteString("name", service.Key.Name);
                w.WriteString("host", HostNames.Service(service.Key, catalog.Domain));
                w.WriteStartObject("components");
                foreach (var component in Enum.GetValues<Component>())
                {
                    var states = revisions[(service.Key.Namespace, service.Key.Name, component)].ToList();
                    if (states.Count == 0)
                    {
                        continue;
                    }

                    w.WriteStartArray(ComponentNames.Of(component));
                    foreach (var revision in states)
                    {
                        w.WriteStartObject();
                        w.WriteString("revision", revision.Key.Revision);
                        w.WriteNumber("containerConcurrency", revision.ContainerConcurrency);
                        w.WriteNumber("concurrency", revision.Stats.Concurrency);
                        w.WriteNumber("held", revision.Stats.Held);
                        w.WriteNumber("arrivals", revision.Stats.Arrivals);
                        w.WriteStartArray("replicas");
                        foreach (var replica in revision.Replicas)
                        {
                            w.WriteStartObject();
                            w.WriteString("address", replica.Address);
                            w.WriteBoolean("ready", replica.Ready);
                            w.WriteNumber("inFlight", replica.InFlight);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> body)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, Proxy.JsonOptions.Writer);
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
    }
}
