using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.Bench;

/// <summary>Square single-precision matrix products through the CPU backend, reported against the FMA peak.</summary>
public static class GemmBench
{
    /// <summary>The sizes measured by <c>nfs bench</c>.</summary>
    public static readonly int[] Sizes = [256, 512, 1024, 2048];

    /// <summary>
    /// Times <c>C = A B</c> for n x n matrices into a preallocated C (so only the multiply is timed) and returns
    /// GFLOP/s (2 n^3 flops per product) of the best and the median repetition.
    /// </summary>
    public static (double Best, double Median) Measure(int n, int minRepetitions, double budgetSeconds)
    {
        var generator = new Generator(42);
        var a = Tensor.Rand(new Shape(n, n), generator);
        var b = Tensor.Rand(new Shape(n, n), generator);
        var c = Tensor.Empty(new Shape(n, n));
        var backend = Device.Cpu.Backend;
        var timing = Timing.Of(() => backend.MatMul(a, b, c), minRepetitions, budgetSeconds);
        double flops = 2.0 * n * n * n;
        return (flops / timing.Best / 1e9, flops / timing.Median / 1e9);
    }
}
