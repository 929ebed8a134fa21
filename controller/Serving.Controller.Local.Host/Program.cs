return await Serving.Controller.Local.Hosting.LocalHost.RunAsync(args);
