using Serving.Models.Cli;

return IrisCommand.Run(args, Console.Out, Console.Error);
