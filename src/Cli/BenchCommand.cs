using System.CommandLine;

namespace NetFromScratch.Cli;

/// <summary><c>nfs bench</c>: quick kernel measurements (GEMM, convolution) against the machine's measured FMA peak.</summary>
public static class BenchCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("bench", "Measure GEMM and convolution speed (GFLOP/s and % of the measured FMA peak).");
        command.SetAction(_ =>
        {
            Console.WriteLine("bench: not yet implemented");
            return 0;
        });
        return command;
    }
}
