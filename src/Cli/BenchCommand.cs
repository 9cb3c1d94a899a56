using System.CommandLine;
using System.Globalization;
using NetFromScratch.Cli.Bench;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Cli;

/// <summary><c>nfs bench</c>: quick kernel measurements (GEMM, convolution) against the machine's measured FMA peak.</summary>
public static class BenchCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var threads = new Option<int>("--threads")
        {
            Description = "CPU threads for every kernel (CpuParallel.MaxThreads) and for the FMA peak loop.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var quick = new Option<bool>("--quick") { Description = "Fewer repetitions: about a quarter of the time, noisier numbers." };
        var only = new Option<string?>("--only") { Description = "Run one family only: gemm or conv2d." };
        only.AcceptOnlyFromAmong("gemm", "conv2d");

        var command = new Command("bench",
            "Measure GEMM and convolution speed on the CPU. Each case is warmed up once, then repeated for about a second " +
            "(a quarter with --quick); lines report the BEST repetition (gemm lines add the median). The FMA peak is measured " +
            "here with a register-only loop of 256-bit fused multiply-adds on the same number of threads. conv2d lines compare " +
            "each pass with the time its flops take at the n=1024 GEMM rate (gemm_bound_ms; ratio = ms / gemm_bound_ms).");
        command.Options.Add(threads);
        command.Options.Add(quick);
        command.Options.Add(only);
        command.Subcommands.Add(FinetuneBench.Create());
        command.Subcommands.Add(TrainBench.Create());
        command.SetAction(parseResult =>
        {
            int t = parseResult.GetValue(threads);
            if (t < 1)
            {
                Console.Error.WriteLine($"bench: --threads must be at least 1, got {t}.");
                return 1;
            }
            Run(t, parseResult.GetValue(quick), parseResult.GetValue(only), Console.Out);
            return 0;
        });
        return command;
    }

    private static void Run(int threads, bool quick, string? only, TextWriter output)
    {
        CpuParallel.MaxThreads = threads;
        int minRepetitions = quick ? 2 : 3;
        double budget = quick ? 0.25 : 1.0;
        var inv = CultureInfo.InvariantCulture;

        double gemmReference = 0;
        if (only is null or "gemm")
        {
            double peak = FmaPeak.Measure(threads, quick ? 3 : 5, quick ? 0.1 : 0.2);
            output.WriteLine(string.Create(inv, $"peak threads={threads} gflops={peak:F1}"));
            foreach (int n in GemmBench.Sizes)
            {
                var (best, median) = GemmBench.Measure(n, minRepetitions, budget);
                if (n == 1024) gemmReference = best;
                string pct = peak > 0 ? string.Create(inv, $" peak_pct={100 * best / peak:F1}") : "";
                output.WriteLine(string.Create(inv,
                    $"gemm n={n} threads={threads} gflops={best:F1} peak_gflops={peak:F1}{pct} median_gflops={median:F1}"));
            }
        }
        if (only is null or "conv2d")
        {
            if (gemmReference == 0) gemmReference = GemmBench.Measure(1024, minRepetitions, budget / 2).Best;
            ConvBench.Run(ConvBenchCase.Standard, gemmReference, minRepetitions, budget, output);
        }
    }
}
