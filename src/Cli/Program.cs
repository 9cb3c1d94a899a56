using System.CommandLine;

namespace NetFromScratch.Cli;

/// <summary>Entry point of the <c>nfs</c> command.</summary>
public static class Program
{
    /// <summary>Builds the command tree and runs it.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("nfs: NetFromScratch, a deep-learning engine in C# from first principles.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(FinetuneCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(AugmentCommand.Create());
        root.Subcommands.Add(GradCheckCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(OnnxCommand.Create());
        return root.Parse(args).Invoke();
    }
}
