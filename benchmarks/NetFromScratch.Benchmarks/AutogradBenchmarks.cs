using BenchmarkDotNet.Attributes;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// One training step of a small MLP (forward, cross-entropy, backward, SGD update, zero grad) on the CPU: the time of
/// a step, and the managed memory it allocates (MemoryDiagnoser's Allocated column), with the graph's buffers left
/// to the garbage collector or returned to the pool by <see cref="Variable.DisposeGraph"/>.
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*Autograd*'</c>
/// </summary>
[MemoryDiagnoser]
public class AutogradBenchmarks
{
    private Variable _x = null!;
    private Tensor _targets = null!;
    private Variable[] _parameters = null!;

    /// <summary>Batch size.</summary>
    [Params(32, 128)]
    public int Batch { get; set; }

    /// <summary>Whether the step ends with <see cref="Variable.DisposeGraph"/>, returning its buffers to the pool at once.</summary>
    [Params(false, true)]
    public bool DisposeGraph { get; set; }

    /// <summary>Builds a 64-128-10 MLP and a batch of random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var gen = new Generator(1);
        _parameters =
        [
            new Variable(Tensor.Randn(new Shape(128, 64), gen) * 0.1f, requiresGrad: true, name: "w1"),
            new Variable(Tensor.Zeros(new Shape(128)), requiresGrad: true, name: "b1"),
            new Variable(Tensor.Randn(new Shape(10, 128), gen) * 0.1f, requiresGrad: true, name: "w2"),
            new Variable(Tensor.Zeros(new Shape(10)), requiresGrad: true, name: "b2"),
        ];
        _x = new Variable(Tensor.Randn(new Shape(Batch, 64), gen));
        _targets = Tensor.FromArray(Enumerable.Range(0, Batch).Select(i => (float)(i % 10)).ToArray(), new Shape(Batch));
    }

    /// <summary>Forward, loss, backward, SGD update and zero grad.</summary>
    [Benchmark]
    public float TrainingStep()
    {
        var h = F.Linear(_x, _parameters[0], _parameters[1]).Relu();
        var loss = F.CrossEntropy(F.Linear(h, _parameters[2], _parameters[3]), _targets);
        loss.Backward();
        using (NoGrad.Scope())
            foreach (var p in _parameters)
            {
                using var step = p.Grad! * 0.01f;
                p.Data.SubInPlace(step);
                p.ZeroGrad();
            }
        float value = loss.Item();
        if (DisposeGraph) loss.DisposeGraph();
        return value;
    }
}
