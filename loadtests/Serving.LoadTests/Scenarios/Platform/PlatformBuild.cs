using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>The programs the scenarios start, built in Release by <c>loadtests/run.sh</c>; paths from the repository root.</summary>
internal sealed record PlatformBuild(string Root)
{
    public string Local => Path.Combine(Root, "controller/Serving.Controller.Local.Host/bin/Release/net10.0/serving-local.dll");

    public string Runtime => Path.Combine(Root, "runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime");

    public string RuntimeDll => Path.Combine(Root, "runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll");

    public string Gateway => Path.Combine(Root, "gateway/Serving.Gateway.Host/bin/Release/net10.0/serving-gateway.dll");

    public string Scaler => Path.Combine(Root, "scaler/Serving.Scaler.Host/bin/Release/net10.0/serving-scaler.dll");

    public string IrisModel => Path.Combine(Root, "samples/models/iris");

    public string Samples => Path.Combine(Root, "samples/kserve");

    public void Require(params string[] paths)
    {
        foreach (string path in paths)
        {
            if (!File.Exists(path))
            {
                throw new BenchmarkException($"{path} not found: build it in Release first (loadtests/run.sh does)");
            }
        }
    }
}
