using Serving.Gateway.Hosting;

return await GatewayHost.RunAsync(args);
