return args switch
{
    ["node-agent", .. var rest] => await Serving.TestCluster.Hosting.NodeAgentCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(Serving.TestCluster.Hosting.NodeAgentCommand.Usage);
    return 2;
}
