using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Control;
using Serving.TestCluster.Nodes;

namespace Serving.TestCluster.Tests.Infrastructure;

/// <summary>A control plane and one node agent (crash-loop back-off from 1 s), shared by a test collection.</summary>
public sealed class ClusterFixture : ControlPlaneFixture
{
    private ILoggerFactory? _loggers;
    private NodeAgent? _agent;

    public NodeAgent Agent => _agent ?? throw new InvalidOperationException("the fixture is not initialized");

    public Kubernetes Client => ControlPlane.Client;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _loggers = LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(Path.Combine(ControlPlane.Directory, "node-agent.log"))).SetMinimumLevel(LogLevel.Debug));
        _agent = await NodeAgent.StartAsync(ControlPlane.Client, new NodeAgentOptions
        {
            NodeName = "node-1",
            Images = TestImages.Map,
            RestartBackoffBase = TimeSpan.FromSeconds(1),
            LeaseRenewInterval = TimeSpan.FromSeconds(2),
        }, _loggers);
    }

    public override async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _loggers?.Dispose();
        await base.DisposeAsync();
    }

    public Task<string> CreateNamespaceAsync(string prefix) => ControlPlane.CreateNamespaceAsync(prefix);

    public async Task<V1Pod?> ReadPodAsync(string ns, string name)
    {
        try
        {
            return await Client.CoreV1.ReadNamespacedPodAsync(name, ns);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>A cluster of its own for the test that restarts the API server (the other tests must not see the outage).</summary>
[CollectionDefinition(Name)]
public sealed class RestartCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "restart";
}
