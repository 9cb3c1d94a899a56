using BenchmarkDotNet.Attributes;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// One training step of the reference MLP (784-128-64-10, cross-entropy, Adam, batch 64) as the trainer takes it
/// (<see cref="Trainer.TrainStep"/>: zero grad, forward, backward, update), on the fused MLP step and on the autograd
/// step; and one Adam update of the same 109,386 parameters alone. MemoryDiagnoser's Allocated column is the managed
/// memory per step.
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*TrainingBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private Trainer _trainer = null!;
    private Tensor _inputs = null!;
    private Tensor _targets = null!;
    private Adam _adam = null!;

    /// <summary>True: the fused MLP step; false: the general autograd step.</summary>
    [Params(true, false)]
    public bool Fused { get; set; }

    /// <summary>Builds the model, the optimizer and one MNIST-shaped batch of random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var gen = new Generator(1);
        var model = Mlp.Create(784, [128, 64], 10, generator: gen);
        _trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 1e-3), new TrainerOptions { UseFusedSteps = Fused });
        _inputs = Tensor.Rand(new Shape(64, 1, 28, 28), gen);
        _targets = Tensor.FromArray(Enumerable.Range(0, 64).Select(i => (float)(i % 10)).ToArray(), new Shape(64));

        var other = Mlp.Create(784, [128, 64], 10, generator: gen);
        foreach (var p in other.Parameters()) p.Grad = Tensor.Randn(p.Shape, gen) * 1e-3f;
        _adam = new Adam(other.Parameters(), 1e-3);
    }

    /// <summary>Zero grad, forward, cross-entropy, backward and Adam update on one batch of 64.</summary>
    [Benchmark]
    public double TrainStep() => _trainer.TrainStep(_inputs, _targets);

    /// <summary>The Adam update of 109,386 parameters alone (one fused pass per tensor).</summary>
    [Benchmark]
    public void AdamStep() => _adam.Step();
}
