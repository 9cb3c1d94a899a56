using System.Globalization;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.Bench;

/// <summary>
/// Times the three convolution passes of each <see cref="ConvBenchCase"/> through the public tensor front ends
/// (outputs taken from the buffer pool per call and given back, as a training step that disposes its graph does) and
/// compares each with the time the same flops take in a large GEMM.
/// </summary>
public static class ConvBench
{
    /// <summary>The passes measured for each layer.</summary>
    public static readonly string[] Passes = ["forward", "backward-input", "backward-weight"];

    /// <summary>
    /// Writes one line per case and pass. <paramref name="gemmGflops"/> is the reference GEMM rate that turns flops into
    /// <c>gemm_bound_ms</c>; <c>ratio</c> is measured time over that bound (1.0 means as fast as the large GEMM).
    /// A pass whose kernel is missing prints <c>skipped=not-implemented</c>.
    /// </summary>
    public static void Run(IEnumerable<ConvBenchCase> cases, double gemmGflops, int minRepetitions, double budgetSeconds, TextWriter output)
    {
        foreach (var layer in cases)
        {
            var generator = new Generator(7);
            var x = Tensor.Randn(new Shape(layer.Batch, layer.InChannels, layer.Size, layer.Size), generator);
            var w = Tensor.Randn(new Shape(layer.OutChannels, layer.InChannels, layer.Kernel, layer.Kernel), generator);
            var gy = Tensor.Randn(new Shape(layer.Batch, layer.OutChannels, layer.OutputSize, layer.OutputSize), generator);
            var p = layer.Params;
            foreach (var pass in Passes)
            {
                Action action = pass switch
                {
                    "forward" => () => Tensor.Conv2d(x, w, null, p).Dispose(),
                    "backward-input" => () => Tensor.Conv2dBackwardInput(gy, w, x.Shape, p).Dispose(),
                    _ => () => Tensor.Conv2dBackwardWeight(x, gy, w.Shape, p).Dispose(),
                };
                string head = $"conv2d name={layer.Name} pass={pass}";
                Timing timing;
                try
                {
                    timing = Timing.Of(action, minRepetitions, budgetSeconds);
                }
                catch (NotImplementedException)
                {
                    output.WriteLine($"{head} skipped=not-implemented");
                    continue;
                }
                double ms = timing.Best * 1e3;
                double gflops = layer.Flops / timing.Best / 1e9;
                double boundMs = layer.Flops / (gemmGflops * 1e9) * 1e3;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{head} {layer.Describe()} ms={ms:F3} gflops={gflops:F1} gemm_bound_ms={boundMs:F3} ratio={ms / boundMs:F2}"));
            }
        }
    }
}
