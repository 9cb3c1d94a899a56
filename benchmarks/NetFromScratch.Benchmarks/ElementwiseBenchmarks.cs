using BenchmarkDotNet.Attributes;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// Elementwise ops through the public tensor API on one million floats (results go back to the pool, so the
/// steady state allocates only small objects): memory-bound arithmetic, activations, a broadcast bias add and
/// the copy of a transposed matrix.
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private Tensor _a = null!, _b = null!, _matrix = null!, _row = null!;

    /// <summary>Creates the inputs: two [1M] vectors, a [1024, 1024] matrix and a [1024] row.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1);
        _a = Tensor.Randn(new Shape(1 << 20), g);
        _b = Tensor.Randn(new Shape(1 << 20), g);
        _matrix = Tensor.Randn(new Shape(1024, 1024), g);
        _row = Tensor.Randn(new Shape(1024), g);
    }

    /// <summary><c>a + b</c>, 1M elements.</summary>
    [Benchmark]
    public void Add() => (_a + _b).Dispose();

    /// <summary><c>a * b</c>, 1M elements.</summary>
    [Benchmark]
    public void Mul() => (_a * _b).Dispose();

    /// <summary><c>relu(a)</c>, 1M elements.</summary>
    [Benchmark]
    public void Relu() => _a.Relu().Dispose();

    /// <summary><c>exp(a)</c>, 1M elements.</summary>
    [Benchmark]
    public void Exp() => _a.Exp().Dispose();

    /// <summary><c>sigmoid(a)</c>, 1M elements.</summary>
    [Benchmark]
    public void Sigmoid() => _a.Sigmoid().Dispose();

    /// <summary><c>tanh(a)</c>, 1M elements.</summary>
    [Benchmark]
    public void Tanh() => _a.Tanh().Dispose();

    /// <summary>Exact GELU, 1M elements.</summary>
    [Benchmark]
    public void Gelu() => _a.Gelu().Dispose();

    /// <summary><c>[1024, 1024] + [1024]</c>: the bias add of a linear layer.</summary>
    [Benchmark]
    public void BroadcastAdd() => (_matrix + _row).Dispose();

    /// <summary><c>a += b</c> in place, 1M elements (the optimizer's update pattern).</summary>
    [Benchmark]
    public void AddInPlace() => _a.AddInPlace(_b);

    /// <summary>Row-major copy of the transpose of a [1024, 1024] matrix.</summary>
    [Benchmark]
    public void CopyTransposed() => _matrix.T.Contiguous().Dispose();
}
