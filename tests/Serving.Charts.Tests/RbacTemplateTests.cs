using System.Text.Json.Nodes;
using Serving.Charts.Tests.Infrastructure;

namespace Serving.Charts.Tests;

/// <summary>
/// The rendered RBAC, read line by line: each role's rules exactly as the components' code needs them (see the comments
/// in the chart's rbac.yaml files), nothing with a wildcard, and no account bound to a role of someone else's.
/// </summary>
public sealed class RbacTemplateTests
{
    private const string Prefix = "sp-serving-platform";

    [Fact]
    public async Task The_default_roles_grant_exactly_what_the_components_call()
    {
        var rendered = await Chart.TemplateAsync();
        Assert.Equal(
        [
            "serving.kserve.io/inferenceservices: list,watch",
            "serving.kserve.io/inferencegraphs: list,watch",
            "serving.kserve.io/servingruntimes: list,watch",
            "serving.kserve.io/inferenceservices/status: patch",
            "serving.kserve.io/inferencegraphs/status: patch",
            "apps/deployments: create,delete,list,patch,watch",
            "core/services: create,delete,get,list,patch,watch",
            "autoscaling/horizontalpodautoscalers: create,delete,list,patch,watch",
            "keda.sh/scaledobjects: create,delete,list,patch,watch",
            "core/pods: list,watch",
            "core/events: create",
            "core/serviceaccounts: get",
            "core/secrets: get",
        ], Rules(rendered.Get("ClusterRole", $"{Prefix}-controller")));
        Assert.Equal(["serving.kserve.io/clusterservingruntimes: list,watch"], Rules(rendered.Get("ClusterRole", $"{Prefix}-controller-runtimes")));
        var election = rendered.Get("Role", $"{Prefix}-controller-leader-election");
        Assert.Equal("serving-system", (string?)election["metadata"]!["namespace"]);
        Assert.Equal(
            ["coordination.k8s.io/leases: create", $"coordination.k8s.io/leases[{Prefix}-controller]: get,update"],
            Rules(election));
        Assert.Equal(
        [
            "serving.kserve.io/inferenceservices: get,list,watch",
            "serving.kserve.io/inferencegraphs: get,list,watch",
            "discovery.k8s.io/endpointslices: get,list,watch",
        ], Rules(rendered.Get("ClusterRole", $"{Prefix}-gateway")));

        // The scaler and Redis have no role at all, and no token in their pods.
        Assert.Equal(3, rendered.OfKind("ClusterRole").Count());
        Assert.Single(rendered.OfKind("Role"));
        foreach (string name in new[] { "scaler", "redis" })
        {
            Assert.False(rendered.Get("ServiceAccount", $"{Prefix}-{name}")["automountServiceAccountToken"]!.GetValue<bool>());
            Assert.False(rendered.Get("Deployment", $"{Prefix}-{name}")["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!.GetValue<bool>());
        }

        AssertLeastPrivilege(rendered);
    }

    [Fact]
    public async Task With_watched_namespaces_the_rules_become_Roles_there_and_storage_credentials_can_be_left_out()
    {
        var rendered = await Chart.TemplateAsync("-f", Chart.Values("production.yaml"));
        var controller = rendered.Get("Role", $"{Prefix}-controller");
        Assert.Equal("models", (string?)controller["metadata"]!["namespace"]);
        Assert.DoesNotContain(Rules(controller), r => r.StartsWith("core/secrets", StringComparison.Ordinal) || r.StartsWith("core/serviceaccounts", StringComparison.Ordinal));
        Assert.Equal("models", (string?)rendered.Get("RoleBinding", $"{Prefix}-controller")["metadata"]!["namespace"]);
        Assert.Equal("models", (string?)rendered.Get("Role", $"{Prefix}-gateway")["metadata"]!["namespace"]);
        Assert.Equal("models", (string?)rendered.Get("RoleBinding", $"{Prefix}-gateway")["metadata"]!["namespace"]);

        // ClusterServingRuntimes are cluster-scoped: the only cluster-wide rule left.
        Assert.Equal([$"{Prefix}-controller-runtimes"], rendered.OfKind("ClusterRole").Select(r => (string)r["metadata"]!["name"]!));
        Assert.Equal([$"{Prefix}-controller-runtimes"], rendered.OfKind("ClusterRoleBinding").Select(r => (string)r["metadata"]!["name"]!));
        AssertLeastPrivilege(rendered);
    }

    [Fact]
    public async Task An_API_keys_Secret_adds_a_Role_for_that_Secret_alone_in_the_release_namespace()
    {
        foreach (var rendered in new[]
        {
            await Chart.TemplateAsync("--set", "gateway.auth.apiKeysSecret=gateway-api-keys"),
            await Chart.TemplateAsync("-f", Chart.Values("production.yaml"), "--set", "gateway.auth.apiKeysSecret=gateway-api-keys"), // routes of "models" only
        })
        {
            var role = rendered.Get("Role", $"{Prefix}-gateway-api-keys");
            Assert.Equal("serving-system", (string?)role["metadata"]!["namespace"]);
            Assert.Equal(["core/secrets[gateway-api-keys]: get,list,watch"], Rules(role));
            var binding = rendered.Get("RoleBinding", $"{Prefix}-gateway-api-keys");
            Assert.Equal("serving-system", (string?)binding["metadata"]!["namespace"]);
            Assert.Equal($"{Prefix}-gateway-api-keys", (string?)binding["roleRef"]!["name"]);
            Assert.Equal($"{Prefix}-gateway", (string?)binding["subjects"]!.AsArray().Single()!["name"]);
            AssertLeastPrivilege(rendered);
        }

        var defaults = await Chart.TemplateAsync("--set", "gateway.auth.apiKeysSecret=gateway-api-keys");
        Assert.Equal(2, defaults.OfKind("Role").Count()); // the Lease's and this one
        Assert.Equal(3, defaults.OfKind("ClusterRole").Count());
    }

    [Fact]
    public async Task The_gateway_s_ClusterRole_in_its_README_is_the_chart_s()
    {
        // Users without the chart copy the README's; the cluster tests run gateways under both.
        string readme = await File.ReadAllTextAsync(System.IO.Path.Combine(Chart.Repository, "gateway", "README.md"));
        var documented = System.Text.RegularExpressions.Regex.Matches(readme, "```yaml\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
            .SelectMany(m => Yaml.Documents(m.Groups[1].Value))
            .Single(d => (string?)d["kind"] == "ClusterRole");
        var rendered = await Chart.TemplateAsync();
        Assert.Equal(Rules(rendered.Get("ClusterRole", $"{Prefix}-gateway")), Rules(documented));
    }

    [Fact]
    public async Task Without_leader_election_there_is_no_Lease_role()
    {
        var rendered = await Chart.TemplateAsync("-f", Chart.Values("minimal.yaml"));
        Assert.Empty(rendered.OfKind("Role"));
        Assert.Empty(rendered.OfKind("RoleBinding"));
        AssertLeastPrivilege(rendered);
    }

    /// <summary>
    /// What must hold for any values: no wildcard, Secrets listed or watched only by name (one, the gateway's API keys),
    /// Pods never written, only the chart's own accounts bound.
    /// </summary>
    private static void AssertLeastPrivilege(Rendered rendered)
    {
        foreach (var role in rendered.OfKind("ClusterRole").Concat(rendered.OfKind("Role")))
        {
            foreach (var rule in role["rules"]!.AsArray().Select(r => r!.AsObject()))
            {
                var words = new[] { "apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs" }
                    .SelectMany(field => rule[field]?.AsArray().Select(v => (string)v!) ?? []);
                Assert.DoesNotContain(words, w => w.Contains('*', StringComparison.Ordinal));
                Assert.Null(rule["nonResourceURLs"]);
                var resources = Strings(rule["resources"]);
                var verbs = Strings(rule["verbs"]);
                if (resources.Contains("secrets"))
                {
                    var names = Strings(rule["resourceNames"]);
                    Assert.Equal(names.Count == 0 ? ["get"] : ["get", "list", "watch"], verbs.Order(StringComparer.Ordinal));
                    Assert.True(names.Count <= 1, "Secrets by name: one");
                    if (names.Count == 1)
                    {
                        // Only the gateway's Role for its API-key Secret watches a Secret.
                        Assert.Equal("Role", role["kind"]!.GetValue<string>());
                        Assert.EndsWith("-gateway-api-keys", role["metadata"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
                    }
                }

                if (resources.Contains("pods"))
                {
                    Assert.Equal(["list", "watch"], verbs.Order(StringComparer.Ordinal));
                }

                Assert.DoesNotContain(verbs, v => v is "escalate" or "bind" or "impersonate" or "deletecollection");
            }
        }

        foreach (var binding in rendered.OfKind("ClusterRoleBinding").Concat(rendered.OfKind("RoleBinding")))
        {
            string roleKind = (string)binding["roleRef"]!["kind"]!;
            string roleName = (string)binding["roleRef"]!["name"]!;
            Assert.True(rendered.Has(roleKind, roleName), $"{binding["metadata"]!["name"]} binds {roleKind} {roleName}, which the chart does not make");
            foreach (var subject in binding["subjects"]!.AsArray())
            {
                Assert.Equal("ServiceAccount", (string?)subject!["kind"]);
                Assert.Equal("serving-system", (string?)subject["namespace"]);
                Assert.True(rendered.Has("ServiceAccount", (string)subject["name"]!));
            }
        }
    }

    /// <summary>One line per group, resource (and names): the verbs, sorted.</summary>
    private static List<string> Rules(JsonObject role) =>
    [
        .. role["rules"]!.AsArray().SelectMany(rule =>
            from string? g in rule!["apiGroups"]!.AsArray().Select(v => (string?)v)
            from string? r in rule["resources"]!.AsArray().Select(v => (string?)v)
            let names = rule["resourceNames"] is JsonArray n ? $"[{string.Join(',', n.Select(v => (string?)v))}]" : ""
            select $"{(g!.Length == 0 ? "core" : g)}/{r}{names}: {string.Join(',', Strings(rule["verbs"]).Order(StringComparer.Ordinal))}"),
    ];

    private static List<string> Strings(JsonNode? node) => [.. node?.AsArray().Select(v => (string)v!) ?? []];
}
