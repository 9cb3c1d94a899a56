using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// Square SGEMM <c>C = A B</c> through the CPU backend into a preallocated C, for N = 256..2048 on 1 and 2 threads.
/// The GFLOP/s column is 2 N^3 divided by the mean time. Run with
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*GemmBenchmarks*'</c>.
/// </summary>
[Config(typeof(Config))]
public class GemmBenchmarks
{
    private Tensor _a = null!, _b = null!, _c = null!;

    /// <summary>Matrix size.</summary>
    [Params(256, 512, 1024, 2048)]
    public int N { get; set; }

    /// <summary>CPU threads (<see cref="CpuParallel.MaxThreads"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Random operands and the output, allocated once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CpuParallel.MaxThreads = Threads;
        var generator = new Generator(1);
        _a = Tensor.Rand(new Shape(N, N), generator);
        _b = Tensor.Rand(new Shape(N, N), generator);
        _c = Tensor.Empty(new Shape(N, N));
    }

    /// <summary>One product.</summary>
    [Benchmark]
    public void MatMul() => Device.Cpu.Backend.MatMul(_a, _b, _c);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    /// <summary>2 N^3 flops over the mean time: flops per nanosecond is GFLOP/s.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Floating-point operations (2 N^3) per second, in billions, from the mean time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (mean is not > 0) return "-";
            double n = Convert.ToDouble(benchmarkCase.Parameters["N"]);
            return (2 * n * n * n / mean.Value).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
