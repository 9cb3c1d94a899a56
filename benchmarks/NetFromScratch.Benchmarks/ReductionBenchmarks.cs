using BenchmarkDotNet.Attributes;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// Reductions and softmax on a [1024, 1024] matrix: over the last axis (contiguous rows), over axis 0 (the bias
/// gradient of a linear layer), everything at once, and softmax along rows and columns.
/// </summary>
[MemoryDiagnoser]
public class ReductionBenchmarks
{
    private Tensor _matrix = null!;

    /// <summary>Creates the [1024, 1024] input.</summary>
    [GlobalSetup]
    public void Setup() => _matrix = Tensor.Randn(new Shape(1024, 1024), new Generator(2));

    /// <summary>Sum over the last axis: 1024 contiguous rows of 1024.</summary>
    [Benchmark]
    public void SumLastAxis() => _matrix.Sum(1).Dispose();

    /// <summary>Sum over axis 0: 1024 rows accumulated into one.</summary>
    [Benchmark]
    public void SumAxis0() => _matrix.Sum(0).Dispose();

    /// <summary>Sum of all elements.</summary>
    [Benchmark]
    public void SumAll() => _matrix.Sum().Dispose();

    /// <summary>Maximum over the last axis.</summary>
    [Benchmark]
    public void MaxLastAxis() => _matrix.Max([1]).Dispose();

    /// <summary>Sample variance over the last axis (two passes).</summary>
    [Benchmark]
    public void VarianceLastAxis() => _matrix.Variance([1]).Dispose();

    /// <summary>Arg-max over the last axis (classification accuracy).</summary>
    [Benchmark]
    public void ArgMaxLastAxis() => _matrix.ArgMax(1).Dispose();

    /// <summary>Softmax along rows.</summary>
    [Benchmark]
    public void SoftmaxRows() => _matrix.Softmax(-1).Dispose();

    /// <summary>Log-softmax along rows (cross-entropy).</summary>
    [Benchmark]
    public void LogSoftmaxRows() => _matrix.LogSoftmax(-1).Dispose();

    /// <summary>Softmax along axis 0 (columns).</summary>
    [Benchmark]
    public void SoftmaxColumns() => _matrix.Softmax(0).Dispose();
}
