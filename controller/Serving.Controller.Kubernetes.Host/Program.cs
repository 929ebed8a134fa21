return await Serving.Controller.Kubernetes.Hosting.ControllerHost.RunAsync(args);
