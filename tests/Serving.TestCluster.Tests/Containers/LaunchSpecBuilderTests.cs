using k8s.Models;
using Serving.TestCluster.Containers;
using Serving.TestCluster.Volumes;

namespace Serving.TestCluster.Tests.Containers;

public sealed class LaunchSpecBuilderTests
{
    private static readonly ImageCommand Runtime = new()
    {
        Entrypoint = ["dotnet", "/bin/serving-runtime.dll"],
        DefaultArguments = ["--model_dir", "/mnt/models"],
        Environment = new Dictionary<string, string> { ["FROM_IMAGE"] = "1" },
        Programs = new Dictionary<string, IReadOnlyList<string>> { ["/serving-runtime"] = ["dotnet", "/bin/serving-runtime.dll"] },
        HostArgument = "--host",
        PortArgument = "--http_port",
    };

    [Fact]
    public void Args_replace_the_image_cmd_and_get_the_pod_address_and_port()
    {
        var spec = Build(new V1Container
        {
            Name = "c",
            Image = "serving-runtime",
            Args = ["--model_dir=/mnt/models", "--http-port", "9000", "--host=0.0.0.0"],
            Ports = [new V1ContainerPort { ContainerPort = 8080 }],
            VolumeMounts = [new V1VolumeMount { Name = "model", MountPath = "/mnt/models" }],
        });

        Assert.Equal("dotnet", spec.FileName);
        Assert.Equal(["/bin/serving-runtime.dll", "--model_dir=/host/model", "--http-port", "8080", "--host=127.9.9.2"], spec.Arguments);
        Assert.Equal("http://127.9.9.2:8080", spec.Environment["ASPNETCORE_URLS"]);
        Assert.Equal("1", spec.Environment["FROM_IMAGE"]);
        Assert.Equal("pod", spec.Environment["HOSTNAME"]);
        Assert.Equal("127.0.0.1", spec.Environment["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("6443", spec.Environment["KUBERNETES_SERVICE_PORT"]);
    }

    [Fact]
    public void Missing_host_and_port_options_are_added_to_the_image_cmd()
    {
        var spec = Build(new V1Container
        {
            Name = "c",
            Image = "serving-runtime",
            Ports = [new V1ContainerPort { ContainerPort = 8080 }],
            VolumeMounts = [new V1VolumeMount { Name = "model", MountPath = "/mnt/models" }],
        });

        Assert.Equal(["/bin/serving-runtime.dll", "--model_dir", "/host/model", "--host", "127.9.9.2", "--http_port", "8080"], spec.Arguments);
    }

    [Fact]
    public void A_command_replaces_the_entrypoint_and_env_is_expanded()
    {
        var spec = Build(new V1Container
        {
            Name = "c",
            Image = "serving-runtime",
            Command = ["/serving-runtime"],
            Args = ["--model_name=$(NAME)", "--escaped=$$(NAME)", "--unknown=$(NOPE)"],
            Env =
            [
                new V1EnvVar { Name = "BASE", Value = "iris" },
                new V1EnvVar { Name = "NAME", Value = "$(BASE)-v1" },
                new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
                new V1EnvVar { Name = "APP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new V1EnvVar { Name = "DIR", Value = "/mnt/models/iris" },
            ],
            VolumeMounts = [new V1VolumeMount { Name = "model", MountPath = "/mnt/models" }],
        });

        Assert.Equal(["/bin/serving-runtime.dll", "--model_name=iris-v1", "--escaped=$(NAME)", "--unknown=$(NOPE)", "--host", "127.9.9.2"], spec.Arguments);
        Assert.Equal("127.9.9.2", spec.Environment["POD_IP"]);
        Assert.Equal("web", spec.Environment["APP"]);
        Assert.Equal("/host/model/iris", spec.Environment["DIR"]);
        Assert.False(spec.Environment.ContainsKey("ASPNETCORE_URLS"));
    }

    [Fact]
    public void A_missing_config_map_key_is_a_config_error()
    {
        var container = new V1Container
        {
            Name = "c",
            Image = "serving-runtime",
            Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "k" } } }],
        };
        Assert.Throws<ContainerConfigException>(() => Build(container));
    }

    [Fact]
    public void A_container_starts_in_its_workingDir_else_the_image_s_then_the_pod_s_folder()
    {
        var container = new V1Container { Name = "c", Image = "serving-runtime" };
        string repository = Directory.CreateTempSubdirectory().FullName;
        Assert.Equal(Path.GetTempPath(), Build(container).WorkingDirectory);
        Assert.Equal(repository, Build(container, Runtime with { WorkingDirectory = repository }).WorkingDirectory);

        container.WorkingDir = "/";
        Assert.Equal("/", Build(container, Runtime with { WorkingDirectory = repository }).WorkingDirectory);
        Directory.Delete(repository);
    }

    private static LaunchSpec Build(V1Container container, ImageCommand? image = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "pod", NamespaceProperty = "ns", Uid = "u", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [container], NodeName = "n" },
        };
        var context = new PodContext(pod, "127.9.9.2", "127.9.9.1", Path.GetTempPath(), new Dictionary<string, string> { ["model"] = "/host/model" }, ReferencedObjects.Empty, new Uri("https://127.0.0.1:6443"));
        return LaunchSpecBuilder.Build(context, container, image ?? Runtime);
    }
}
