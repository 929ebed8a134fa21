using System.Globalization;

namespace Serving.LoadTests.Server;

/// <summary>
/// nginx configurations for the gateway benchmark, one worker each, everything (pid, logs, temp folders) under a
/// prefix folder of the benchmark's own: run with <c>nginx -p PREFIX -e ERROR_LOG -c CONF</c>, in the foreground.
/// </summary>
internal static class NginxConf
{
    public const string BackendBody = """{"predictions":[1]}""";

    /// <summary>The backend every target shares: 200 with a small JSON body for any request.</summary>
    public static string Backend(string prefix, int port) => Common(prefix, $$"""
          server {
            listen 127.0.0.1:{{Port(port)}};
            default_type application/json;
            location / { return 200 '{{BackendBody}}'; }
          }
        """);

    /// <summary>nginx as the reverse proxy under test: an upstream with keep-alive connections to the backend.</summary>
    public static string ReverseProxy(string prefix, int port, int backendPort) => Common(prefix, $$"""
          upstream backend {
            server 127.0.0.1:{{Port(backendPort)}};
            keepalive 64;
            keepalive_requests 1000000;
          }
          server {
            listen 127.0.0.1:{{Port(port)}};
            location / {
              proxy_pass http://backend;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
            }
          }
        """);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    // keepalive_requests: nginx closes a keep-alive connection after 1,000 requests by default, which the .NET and Go
    // servers never do; raised so that every target keeps its connections for the whole run.
    private static string Common(string prefix, string servers) => $$"""
        # Written by serving-loadtests gateway; started with -p {{prefix}}
        worker_processes 1;
        daemon off;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path {{prefix}}/tmp/body;
          proxy_temp_path {{prefix}}/tmp/proxy;
          fastcgi_temp_path {{prefix}}/tmp/fastcgi;
          uwsgi_temp_path {{prefix}}/tmp/uwsgi;
          scgi_temp_path {{prefix}}/tmp/scgi;
          keepalive_timeout 75s;
          keepalive_requests 1000000;
        {{servers}}
        }

        """;
}
