using Serving.Charts.Tests.Infrastructure;
using Serving.TestCluster.Control;
using Serving.TestCluster.Processes;

namespace Serving.Charts.Tests;

/// <summary>
/// The installed RBAC asked by the API server's own authorizer, as each component: <c>kubectl auth can-i</c> with the
/// token of the chart's ServiceAccount (the identity a pod of the release has). What the code needs is allowed; reading
/// Secrets in bulk, writing Pods, and every other kind are denied. (The controller running under this RBAC is in
/// Serving.Controller.Kubernetes.Tests, Chart/.)
/// </summary>
[Collection(InstalledChartCollection.Name)]
public sealed class RbacAccessTests(InstalledChartCluster cluster)
{
    public static TheoryData<string, string, bool> Questions => new()
    {
        // The controller: KServe's kinds, the objects it makes, status, events, a ServiceAccount's Secrets by name, its Lease.
        { "controller", "list inferenceservices.serving.kserve.io -A", true },
        { "controller", "watch inferencegraphs.serving.kserve.io -A", true },
        { "controller", "list servingruntimes.serving.kserve.io -A", true },
        { "controller", "watch clusterservingruntimes.serving.kserve.io", true },
        { "controller", "patch inferenceservices.serving.kserve.io --subresource=status -n team", true },
        { "controller", "patch inferencegraphs.serving.kserve.io --subresource=status -n team", true },
        { "controller", "create deployments.apps -n team", true },
        { "controller", "patch deployments.apps -n team", true },
        { "controller", "delete deployments.apps -n team", true },
        { "controller", "patch services -n team", true },
        { "controller", "get services/iris -n team", true }, // is the address Service {isvc} someone else's?
        { "controller", "delete horizontalpodautoscalers.autoscaling -n team", true },
        { "controller", "patch scaledobjects.keda.sh -n team", true },
        { "controller", "watch pods -A", true },
        { "controller", "create events -n team", true },
        { "controller", "get serviceaccounts/default -n team", true },
        { "controller", "get secrets/s3-credentials -n team", true },
        { "controller", "create leases.coordination.k8s.io -n rbac-system", true },
        { "controller", "update leases.coordination.k8s.io/rbac-serving-platform-controller -n rbac-system", true },
        { "controller", "list secrets -A", false },
        { "controller", "list secrets -n team", false },
        { "controller", "watch secrets -n team", false },
        { "controller", "create secrets -n team", false },
        { "controller", "update secrets/s3-credentials -n team", false },
        { "controller", "create pods -n team", false },
        { "controller", "delete pods -n team", false },
        { "controller", "patch pods -n team", false },
        { "controller", "create pods/exec -n team", false },
        { "controller", "update inferenceservices.serving.kserve.io -n team", false },
        { "controller", "delete inferenceservices.serving.kserve.io -n team", false },
        { "controller", "update deployments.apps -n team", false },
        { "controller", "create services -n team", true }, // server-side apply of a new object is authorized as create too
        { "controller", "get configmaps -n team", false },
        { "controller", "list endpointslices.discovery.k8s.io -A", false },
        { "controller", "update leases.coordination.k8s.io/some-other-lease -n rbac-system", false },
        { "controller", "create leases.coordination.k8s.io -n team", false },
        { "controller", "delete leases.coordination.k8s.io/rbac-serving-platform-controller -n rbac-system", false },
        { "controller", "create clusterrolebindings.rbac.authorization.k8s.io", false },
        { "controller", "escalate clusterroles.rbac.authorization.k8s.io", false },
        { "controller", "impersonate users", false },
        { "controller", "get nodes", false },
        { "controller", "create customresourcedefinitions.apiextensions.k8s.io", false },

        // The gateway: routes only.
        { "gateway", "list inferenceservices.serving.kserve.io -A", true },
        { "gateway", "watch inferencegraphs.serving.kserve.io -A", true },
        { "gateway", "watch endpointslices.discovery.k8s.io -A", true },
        { "gateway", "get secrets/s3-credentials -n team", false },
        { "gateway", "get secrets/gateway-api-keys -n " + InstalledChartCluster.Namespace, false }, // gateway.auth.apiKeysSecret unset
        { "gateway", "list secrets -A", false },
        { "gateway", "list pods -A", false },
        { "gateway", "list endpoints -A", false },
        { "gateway", "list services -A", false },
        { "gateway", "patch inferenceservices.serving.kserve.io --subresource=status -n team", false },
        { "gateway", "update inferenceservices.serving.kserve.io -n team", false },
        { "gateway", "create events -n team", false },

        // The scaler: nothing at all.
        { "scaler", "list inferenceservices.serving.kserve.io -A", false },
        { "scaler", "get secrets/s3-credentials -n team", false },
        { "scaler", "list pods -A", false },
        { "scaler", "list endpointslices.discovery.k8s.io -A", false },
        { "scaler", "get scaledobjects.keda.sh -n team", false },
        { "redis", "list pods -A", false },
        { "redis", "get secrets/s3-credentials -n team", false },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task The_API_server_answers_each_component_as_its_code_needs(string component, string question, bool allowed)
    {
        var answer = await AskAsync(component, question);
        Assert.True(
            (answer.ExitCode == 0) == allowed,
            $"{component}: can-i {question}: the API server says {answer.StandardOutput.Trim()}, expected {(allowed ? "yes" : "no")} {answer.StandardError}");
    }

    [Fact]
    public async Task With_an_API_keys_Secret_the_gateway_may_read_that_Secret_and_no_other()
    {
        string ns = InstalledChartCluster.Namespace;
        await cluster.HelmChartAsync("upgrade", InstalledChartCluster.Release, ns, "--set", "gateway.auth.apiKeysSecret=gateway-api-keys");
        try
        {
            await ChartCluster.EventuallyAsync(() => CanAsync($"get secrets/gateway-api-keys -n {ns}"), "the Secret allowed once the value is set");
            foreach (string verb in new[] { "get", "list", "watch" })
            {
                Assert.True(await CanAsync($"{verb} secrets/gateway-api-keys -n {ns}"), $"{verb} secrets/gateway-api-keys");
            }

            foreach (string question in new[]
            {
                $"get secrets/other -n {ns}", $"list secrets -n {ns}", $"watch secrets -n {ns}", $"update secrets/gateway-api-keys -n {ns}",
                $"delete secrets/gateway-api-keys -n {ns}", "get secrets/gateway-api-keys -n team", "list secrets -A",
            })
            {
                Assert.False(await CanAsync(question), question);
            }
        }
        finally
        {
            await cluster.HelmChartAsync("upgrade", InstalledChartCluster.Release, ns, "--reset-values"); // else helm keeps the last values
        }

        // The authorizer learns of the deleted Role from its informer: soon, not at once.
        await ChartCluster.EventuallyAsync(async () => !await CanAsync($"get secrets/gateway-api-keys -n {ns}"), "the Secret denied once the value is unset");
    }

    [Fact]
    public async Task The_scaler_and_Redis_accounts_are_bound_to_nothing()
    {
        foreach (string component in new[] { "scaler", "redis" })
        {
            var rules = await KubeTools.KubectlAsync(["auth", "can-i", "--list", "-n", "team"], cluster.Kubeconfig(component));
            var resourceRules = rules.EnsureSuccess("kubectl auth can-i --list").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1) // the header
                .Where(l => !l.StartsWith("selfsubject", StringComparison.Ordinal) && !l.StartsWith(' ') && !l.StartsWith('['))
                .ToList();
            Assert.True(resourceRules.Count == 0, $"{component} may: {string.Join("; ", resourceRules)}");
        }
    }

    /// <summary><c>kubectl auth can-i</c> as the component's ServiceAccount: exit code 0 yes, 1 no.</summary>
    private async Task<CommandResult> AskAsync(string component, string question)
    {
        var answer = await KubeTools.KubectlAsync(["auth", "can-i", .. question.Split(' ')], cluster.Kubeconfig(component));
        Assert.True(answer.ExitCode is 0 or 1, answer.StandardError); // anything else is a failure to ask
        return answer;
    }

    private async Task<bool> CanAsync(string question) => (await AskAsync("gateway", question)).ExitCode == 0;
}
