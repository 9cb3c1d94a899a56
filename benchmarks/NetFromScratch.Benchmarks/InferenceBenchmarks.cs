using BenchmarkDotNet.Attributes;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// One inference batch of the CIFAR CNN (64 images of 3 x 32 x 32, evaluation mode) on the CPU, under
/// <see cref="NoGrad"/> alone (activations left to the garbage collector) or in <see cref="InferenceMode"/> (activations
/// back to the pool when the scope closes): the time, and MemoryDiagnoser's Allocated column.
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*Inference*'</c>
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private Module _model = null!;
    private Variable _x = null!;

    /// <summary>Whether the batch runs in <see cref="InferenceMode"/> rather than under NoGrad alone.</summary>
    [Params(false, true)]
    public bool Release { get; set; }

    /// <summary>Builds the network and a batch of random images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var gen = new Generator(1);
        _model = CifarCnn.Create(generator: gen).Eval();
        _x = new Variable(Tensor.Randn(new Shape(64, 3, 32, 32), gen));
    }

    /// <summary>A forward pass; returns the first logit so that nothing is optimised away.</summary>
    [Benchmark]
    public float Forward()
    {
        if (Release)
        {
            using (InferenceMode.Enter()) return _model.Forward(_x).Data.ToArray()[0];
        }
        using (NoGrad.Scope())
        {
            var logits = _model.Forward(_x);
            float first = logits.Data.ToArray()[0];
            logits.Data.Dispose();
            return first;
        }
    }
}
