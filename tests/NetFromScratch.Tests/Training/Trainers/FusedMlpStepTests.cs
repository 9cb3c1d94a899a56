using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Tests.Training.Trainers;

/// <summary>The fused MLP step must compute what autograd computes: the same loss, correct count and gradients.</summary>
public class FusedMlpStepTests
{
    private static (double Loss, int Correct, float[][] Grads) Step(Sequential model, Loss loss, Tensor x, Tensor y, bool fused)
    {
        foreach (var p in model.Parameters()) p.Grad = null;
        var engine = fused ? FusedOrThrow(model, loss, x) : new AutogradStep(model, loss, releaseIntermediates: true);
        var outcome = engine.Train(x, y);
        return (outcome.Loss, outcome.Correct, model.Parameters().Select(p => p.Grad?.ToArray() ?? []).ToArray());
    }

    private static IStepEngine FusedOrThrow(Sequential model, Loss loss, Tensor x)
    {
        Assert.That(FusedMlpStep.TryCreate(model, loss, Device.Cpu, new Shape(x.Shape.Dims[1..].ToArray()), out var step), Is.True);
        return step!;
    }

    private static void Compare(Sequential model, Loss loss, Tensor x, Tensor y)
    {
        var a = Step(model, loss, x, y, fused: false);
        var b = Step(model, loss, x, y, fused: true);
        Assert.That(b.Loss, Is.EqualTo(a.Loss).Within(1e-5).Percent);
        Assert.That(b.Correct, Is.EqualTo(a.Correct));
        for (int i = 0; i < a.Grads.Length; i++) TensorAssert.Close(a.Grads[i], b.Grads[i], atol: 1e-6f, rtol: 1e-4f);
    }

    private static (Tensor X, Tensor Y) Batch(int n, int[] sample, int classes, int seed)
    {
        int features = sample.Aggregate(1, (p, d) => p * d);
        var x = Tensor.FromArray(TensorAssert.RandomData(n * features, seed), new Shape([n, .. sample]));
        var y = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)((i * 7 + seed) % classes)).ToArray(), new Shape(n));
        return (x, y);
    }

    [Test]
    public void ReferenceMlpMatchesAutograd()
    {
        var model = Mlp.Create(64, [128, 64], 10, generator: new Generator(1));
        var (x, y) = Batch(37, [1, 8, 8], 10, 2);
        Compare(model, new CrossEntropyLoss(), x, y);
    }

    [Test]
    public void SmoothingSumReductionAndFrozenLayerMatchAutograd()
    {
        var model = Mlp.Create(6, [5], 4, generator: new Generator(3));
        ((Linear)model[1]).Weight.RequiresGrad = false;
        var (x, y) = Batch(9, [6], 4, 5);
        Compare(model, new CrossEntropyLoss(labelSmoothing: 0.1f, reduction: Reduction.Sum), x, y);
        Assert.That(((Linear)model[1]).Weight.Grad, Is.Null);
    }

    [Test]
    public void LayersWithoutBiasOrReluMatchAutograd()
    {
        var gen = new Generator(4);
        var model = new Sequential(new Linear(5, 7, bias: false, generator: gen), new ReLU(), new Identity(), new Linear(7, 6, generator: gen),
            new Linear(6, 3, generator: gen));
        var (x, y) = Batch(11, [5], 3, 6);
        Compare(model, new CrossEntropyLoss(), x, y);
    }

    [Test]
    public void OnlyQualifyingModelsAndLossesAreFused()
    {
        var sample = new Shape(4);
        Assert.That(FusedMlpStep.TryCreate(Mlp.Create(4, [3], 2), new CrossEntropyLoss(), Device.Cpu, sample, out _), Is.True);
        Assert.That(FusedMlpStep.TryCreate(Mlp.Create(4, [3], 2, dropout: 0.5f), new CrossEntropyLoss(), Device.Cpu, sample, out _), Is.False);
        Assert.That(FusedMlpStep.TryCreate(Mlp.Create(4, [3], 2), new CrossEntropyLoss(Tensor.Ones(new Shape(2))), Device.Cpu, sample, out _), Is.False);
        Assert.That(FusedMlpStep.TryCreate(Mlp.Create(4, [3], 2), new MSELoss(), Device.Cpu, sample, out _), Is.False);
        Assert.That(FusedMlpStep.TryCreate(new Sequential(new Linear(4, 3), new Tanh(), new Linear(3, 2)), new CrossEntropyLoss(), Device.Cpu, sample, out _), Is.False);
        Assert.That(FusedMlpStep.TryCreate(new Sequential(new Linear(4, 3), new ReLU()), new CrossEntropyLoss(), Device.Cpu, sample, out _), Is.False);
        Assert.That(FusedMlpStep.TryCreate(new Sequential(new Linear(4, 3)), new CrossEntropyLoss(), Device.Cpu, new Shape(2, 2), out _), Is.False);
    }

    [Test]
    public void EvaluationMatchesAutograd()
    {
        var model = Mlp.Create(64, [32], 10, generator: new Generator(1));
        var (x, y) = Batch(20, [64], 10, 8);
        var a = new AutogradStep(model, new CrossEntropyLoss(), true).Evaluate(x, y);
        var b = FusedOrThrow(model, new CrossEntropyLoss(), x).Evaluate(x, y);
        Assert.That(b.Loss, Is.EqualTo(a.Loss).Within(1e-5).Percent);
        Assert.That(b.Correct, Is.EqualTo(a.Correct));
        Assert.That(model.Parameters().All(p => p.Grad is null));
    }

    [Test]
    public void BadTargetsNameTheClassRange()
    {
        var model = Mlp.Create(4, [3], 2);
        var step = FusedOrThrow(model, new CrossEntropyLoss(), Tensor.Zeros(new Shape(2, 4)));
        var e = Assert.Throws<ArgumentException>(() => step.Train(Tensor.Zeros(new Shape(2, 4)), Tensor.FromArray(0f, 5f)));
        Assert.That(e!.Message, Does.Contain("target 5").And.Contain("[0, 2)"));
    }
}
