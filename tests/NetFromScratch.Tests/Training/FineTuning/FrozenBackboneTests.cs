using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Tests.Training.FineTuning;

/// <summary>The compiled frozen backbone (BatchNorm folded, intermediates released) against the modules it replaces.</summary>
public class FrozenBackboneTests
{
    // Non-trivial BatchNorm statistics and affine parameters, so folding has something to fold.
    private static void Perturb(Module m, ulong seed)
    {
        var g = new Generator(seed);
        foreach (var (_, sub) in m.NamedModules())
            if (sub is BatchNorm bn)
            {
                bn.RunningMean!.Data.CopyFrom(Tensor.Randn(bn.RunningMean.Data.Shape, generator: g) * 0.2f);
                bn.RunningVar!.Data.CopyFrom(Tensor.Rand(bn.RunningVar.Data.Shape, generator: g) + 0.5f);
                bn.Weight!.Data.CopyFrom(Tensor.Rand(bn.Weight.Data.Shape, generator: g) + 0.5f);
                bn.Bias!.Data.CopyFrom(Tensor.Randn(bn.Bias.Data.Shape, generator: g) * 0.1f);
            }
    }

    // The reference: the modules' own forward pass in evaluation mode.
    private static float[] Reference(BackboneLayout layout, Tensor x)
    {
        layout.Model.Eval();
        using var scope = NoGrad.Scope();
        return layout.ForwardFeatures(new Variable(x)).Data.ToArray();
    }

    private static void CompareCompiled(Module model, Shape input, int expectedFolds, ulong seed)
    {
        Perturb(model, seed);
        var layout = BackboneLayout.Of(model);
        var compiled = FrozenBackbone.TryCompile(layout);
        Assert.That(compiled, Is.Not.Null);
        Assert.That(compiled!.FoldedBatchNorms, Is.EqualTo(expectedFolds));
        using var x = Tensor.Randn(input, generator: new Generator(seed + 1));
        var expected = Reference(layout, x);
        using var actual = compiled.Forward(x);
        TensorAssert.Close(expected, actual, atol: 1e-4f, rtol: 1e-3f);
        Assert.That(x.Storage.IsReleased, Is.False, "the caller's input is left alone");
        using var again = compiled.Forward(x);
        TensorAssert.Close(expected, again, atol: 1e-4f, rtol: 1e-3f);
    }

    [Test]
    public void ResNet18MatchesItsModules() => CompareCompiled(new ResNet(18, 4, new Generator(1)), new Shape(2, 3, 32, 32), expectedFolds: 20, seed: 2);

    [Test]
    public void ResNet50BottlenecksMatchTheirModules() => CompareCompiled(new ResNet(50, 4, new Generator(3)), new Shape(1, 3, 32, 32), expectedFolds: 53, seed: 4);

    [Test]
    public void SequentialWithBatchNormMatchesItsModules() => CompareCompiled(CifarCnn.SmallVgg(10, generator: new Generator(5)), new Shape(3, 3, 32, 32), expectedFolds: 6, seed: 6);

    [Test]
    public void BackboneWithASequentialMatchesItsModules()
    {
        var backbone = new Sequential(new Conv2d(3, 5, 3, padding: 1, generator: new Generator(7)), new BatchNorm2d(5), new ReLU(), new MaxPool2d(2),
            new Conv2d(5, 6, 3, generator: new Generator(8)), new ReLU(), new AdaptiveAvgPool2d(2));
        CompareCompiled(new BackboneWithHead(backbone, new Linear(24, 3, generator: new Generator(9))), new Shape(2, 3, 12, 12), expectedFolds: 1, seed: 10);
    }

    [Test]
    public void UnknownModelsAreNotCompiled()
    {
        var model = new BackboneWithHead(new Identity(), new Linear(4, 2));
        Assert.That(FrozenBackbone.TryCompile(BackboneLayout.Of(model)), Is.Null);
    }

    [Test]
    public void CompiledAndModuleTrainingOfAFrozenBackboneAgree()
    {
        float[] Train(bool compile)
        {
            // No dropout: in training mode the module path would drop inside the frozen part, the compiled path never does.
            var model = new Sequential(new Conv2d(3, 6, 3, padding: 1, generator: new Generator(11)), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 8, 3, padding: 1, generator: new Generator(15)), new BatchNorm2d(8), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(),
                new Linear(8, 10, generator: new Generator(16)));
            Perturb(model, 12);
            var tuner = new FineTuner(model);
            tuner.ReplaceHead(10, generator: new Generator(13));
            tuner.FreezeBackbone();
            var log = new StringWriter();
            var run = new FineTuningRun(tuner, new CrossEntropyLoss(), new SGD(tuner.ParameterGroups(0.05), lr: 0.05),
                new FineTuningOptions { Epochs = 2, BatchSize = 5, Seed = 3, CacheFeatures = false, CompileFrozenBackbone = compile, Log = log });
            run.Fit(new ShapesDataset(10, 14, 32).ToInMemory());
            Assert.That(log.ToString().Contains("runs compiled"), Is.EqualTo(compile));
            return tuner.Layout.Head.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        }
        TensorAssert.Close(Train(compile: false), Train(compile: true), atol: 1e-4f, rtol: 1e-3f);
    }

    // The compiled backbone folds BatchNorm on whatever device the convolution lives on, and the feature cache runs it
    // there: the simulator (GPU kernels on ILGPU's CPU accelerator) must train the head as the CPU does.
    [TestCase(false)]
    [TestCase(true)]
    public void CompiledBackboneAndFeatureCacheRunOnTheSimulator(bool cache)
    {
        float[] Train(Device device)
        {
            var model = new Sequential(new Conv2d(3, 4, 3, padding: 1, generator: new Generator(31)), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 5, 3, padding: 1, generator: new Generator(32)), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(),
                new Linear(5, 10, generator: new Generator(33)));
            Perturb(model, 34);
            var tuner = new FineTuner(model);
            tuner.ReplaceHead(10, generator: new Generator(35));
            tuner.FreezeBackbone();
            model.To(device);
            var log = new StringWriter();
            var run = new FineTuningRun(tuner, new CrossEntropyLoss(), new SGD(tuner.ParameterGroups(0.05), lr: 0.05),
                new FineTuningOptions { Epochs = 2, BatchSize = 3, Seed = 3, CacheFeatures = cache, Device = device, Log = log });
            var result = run.Fit(new ShapesDataset(6, 36, 8).ToInMemory());
            Assert.That(result.CachedEpochs, Is.EqualTo(cache ? 2 : 0));
            if (!cache) Assert.That(log.ToString(), Does.Contain("runs compiled"));
            Assert.That(tuner.Layout.Head.Parameters().All(p => ReferenceEquals(p.Data.Device, device)), Is.True, "the head stays on the device");
            return tuner.Layout.Head.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        }
        TensorAssert.Close(Train(Device.Cpu), Train(NetFromScratch.Gpu.GpuDevices.Simulator()), atol: 1e-4f, rtol: 1e-3f);
    }
}
