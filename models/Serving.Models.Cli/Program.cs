using Serving.Models.Cli;

return args is ["scaler", ..]
    ? ScalerCommand.Run(args, Console.Out, Console.Error)
    : IrisCommand.Run(args, Console.Out, Console.Error);
