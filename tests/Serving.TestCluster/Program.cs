return args switch
{
    ["node-agent", .. var rest] => await Serving.TestCluster.Hosting.NodeAgentCommand.RunAsync(rest),
    ["keda", .. var rest] => await Serving.TestCluster.Hosting.KedaCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Test infrastructure (stand-ins for a kubelet and for KEDA), never shipped.\n");
    Console.Error.WriteLine(Serving.TestCluster.Hosting.NodeAgentCommand.Usage);
    Console.Error.WriteLine(Serving.TestCluster.Hosting.KedaCommand.Usage);
    return 2;
}
