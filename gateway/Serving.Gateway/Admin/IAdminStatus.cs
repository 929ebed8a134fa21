using Microsoft.AspNetCore.Http;

namespace Serving.Gateway.Admin;

/// <summary>
/// What <c>GET /status</c> on the admin port answers. A bare gateway shows its routing view; a host that owns
/// resource status (the local platform) registers its own, and the routing view stays at <c>/routes</c>.
/// </summary>
public interface IAdminStatus
{
    Task WriteAsync(HttpContext context);
}
