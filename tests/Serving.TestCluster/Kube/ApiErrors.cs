using System.Net;
using k8s;
using k8s.Autorest;

namespace Serving.TestCluster.Kube;

/// <summary>Which API failures are worth a retry: the server answering an error, or not answering (restarting).</summary>
internal static class ApiErrors
{
    public static bool IsTransient(Exception e) => e is HttpOperationException or HttpRequestException or IOException or KubernetesException;

    public static bool Is(this Exception e, HttpStatusCode status) => e is HttpOperationException http && http.Response.StatusCode == status;
}
