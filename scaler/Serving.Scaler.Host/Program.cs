using Serving.Scaler.Hosting;

return await ScalerHost.RunAsync(args);
