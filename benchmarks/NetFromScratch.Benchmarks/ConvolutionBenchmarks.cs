using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// The three convolution passes of the CPU backend at the layers of the reference workloads (the CIFAR CNN at
/// batch 64, 3x3 kernels, no padding; ResNet-18 layers at batch 8, 224x224 input), into preallocated outputs.
/// Every pass costs <c>2 N O OH OW C kh kw</c> flops; the GFLOP/s column divides that by the mean time. Run with
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*ConvolutionBenchmarks*'</c>.
/// </summary>
[Config(typeof(Config))]
public class ConvolutionBenchmarks
{
    private static readonly Dictionary<string, (int N, int C, int Size, int O, int Kernel, int Stride, int Pad)> Geometry = new()
    {
        ["cifar.conv1"] = (64, 3, 32, 32, 3, 1, 0),
        ["cifar.conv2"] = (64, 32, 15, 64, 3, 1, 0),
        ["cifar.conv3"] = (64, 64, 6, 64, 3, 1, 0),
        ["resnet18.layer1"] = (8, 64, 56, 64, 3, 1, 1),
        ["resnet18.layer3.down"] = (8, 128, 28, 256, 3, 2, 1),
    };

    private Tensor _x = null!, _w = null!, _bias = null!, _gradY = null!, _y = null!, _gradX = null!, _gradW = null!;
    private Conv2dParams _p;

    /// <summary>Which layer.</summary>
    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "cifar.conv2";

    /// <summary>The layers measured.</summary>
    public static IEnumerable<string> Layers => Geometry.Keys;

    /// <summary>Random input, weight, bias and output gradient, and the outputs, allocated once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (n, c, size, o, k, stride, pad) = Geometry[Layer];
        _p = Conv2dParams.Square(stride, pad);
        int outSize = _p.OutputHeight(size, k);
        var generator = new Generator(1);
        _x = Tensor.Randn(new Shape(n, c, size, size), generator);
        _w = Tensor.Randn(new Shape(o, c, k, k), generator);
        _bias = Tensor.Randn(new Shape(o), generator);
        _gradY = Tensor.Randn(new Shape(n, o, outSize, outSize), generator);
        _y = Tensor.Empty(_gradY.Shape);
        _gradX = Tensor.Empty(_x.Shape);
        _gradW = Tensor.Empty(_w.Shape);
    }

    /// <summary>y = conv2d(x, w) + bias.</summary>
    [Benchmark]
    public void Forward() => Device.Cpu.Backend.Conv2d(_x, _w, _bias, _p, _y);

    /// <summary>dx from dy and w.</summary>
    [Benchmark]
    public void BackwardInput() => Device.Cpu.Backend.Conv2dBackwardInput(_gradY, _w, _p, _gradX);

    /// <summary>dw from x and dy.</summary>
    [Benchmark]
    public void BackwardWeight() => Device.Cpu.Backend.Conv2dBackwardWeight(_x, _gradY, _p, _gradW);

    private static double Flops(string layer)
    {
        var (n, c, size, o, k, stride, pad) = Geometry[layer];
        double outSize = Conv2dParams.Square(stride, pad).OutputHeight(size, k);
        return 2.0 * n * o * outSize * outSize * c * k * k;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    /// <summary>The pass's flops over the mean time: flops per nanosecond is GFLOP/s.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(ConvolutionBenchmarks) + nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Floating-point operations (2 N O OH OW C kh kw) per second, in billions, from the mean time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (mean is not > 0) return "-";
            var layer = (string)benchmarkCase.Parameters[nameof(Layer)];
            return (Flops(layer) / mean.Value).ToString("F1", CultureInfo.InvariantCulture);
        }
    }
}
