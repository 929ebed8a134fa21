using Serving.Runtime.Hosting;

return await RuntimeHost.RunAsync(args);
