using System.Text;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>The lab's V1 prediction for the iris model and the answer it must get.</summary>
internal static class IrisRequest
{
    public const string Instances = """{"instances":[[6.8,2.8,4.8,1.4]]}""";
    public const string Prediction = """{"predictions":[1]}""";

    /// <summary>A POST of <see cref="Instances"/> to <paramref name="path"/> with the Host header the gateway routes by.</summary>
    public static HttpRequestMessage To(string host, string path = "/v1/models/iris:predict")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Instances, Encoding.UTF8, "application/json") };
        request.Headers.Host = host;
        return request;
    }
}
