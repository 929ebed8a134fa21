using Serving.LoadTests.Cli;

return await LoadTestCli.RunAsync(args);
