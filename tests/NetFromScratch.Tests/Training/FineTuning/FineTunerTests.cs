using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.FineTuning;

namespace NetFromScratch.Tests.Training.FineTuning;

/// <summary>Layouts, head replacement, freeze-until, the unfreezing order and discriminative learning rates.</summary>
public class FineTunerTests
{
    private static ResNet ResNet18(int classes = 10) => new(18, classes, new Generator(1));

    private static string[] Frozen(Module m) => m.NamedParameters().Where(p => !p.Parameter.RequiresGrad).Select(p => p.Name).ToArray();

    private static string[] Trainable(Module m) => m.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => p.Name).ToArray();

    [Test]
    public void ResNetSplitsIntoStemLayersAndHead()
    {
        var tuner = new FineTuner(ResNet18());
        Assert.That(tuner.Blocks.Select(b => b.Name), Is.EqualTo(new[] { "stem", "layer1", "layer2", "layer3", "layer4", "fc" }));
        Assert.That(tuner.Layout.HeadPath, Is.EqualTo("fc"));
        Assert.That(tuner.Blocks[0].Prefixes, Is.EqualTo(new[] { "conv1", "bn1" }));
    }

    [Test]
    public void FreezeUntilBlockFreezesExactlyTheBlocksUpToIt()
    {
        var model = ResNet18();
        var tuner = new FineTuner(model);
        var frozen = tuner.FreezeUntil("layer3");
        string[] expectedRoots = ["conv1", "bn1", "layer1", "layer2", "layer3"];
        var all = model.NamedParameters().Select(p => p.Name).ToArray();
        var expected = all.Where(n => expectedRoots.Contains(n.Split('.')[0])).ToArray();
        Assert.That(frozen, Is.EqualTo(expected));
        Assert.That(Frozen(model), Is.EqualTo(expected));
        Assert.That(Trainable(model).All(n => n.StartsWith("layer4.", StringComparison.Ordinal) || n.StartsWith("fc.", StringComparison.Ordinal)), Is.True);
        Assert.That(Trainable(model), Does.Contain("layer4.0.downsample.0.weight").And.Contain("fc.bias"));
        Assert.That(tuner.IsBackboneFrozen, Is.False);
    }

    [Test]
    public void FreezeUntilPrefixStopsInsideABlockAndIsCaseInsensitiveForBlocks()
    {
        var model = ResNet18();
        var tuner = new FineTuner(model);
        tuner.FreezeUntil("layer3.0");
        Assert.That(Frozen(model), Does.Contain("layer3.0.downsample.1.bias").And.Contain("conv1.weight"));
        Assert.That(Frozen(model).Any(n => n.StartsWith("layer3.1.", StringComparison.Ordinal)), Is.False);
        Assert.That(tuner.IsFrozen(tuner.Layout.Find("layer3")!), Is.True, "a partly frozen block counts as frozen");

        tuner.FreezeUntil("LAYER1");
        Assert.That(Frozen(model).Last(), Does.StartWith("layer1."));
        tuner.FreezeUntil("none");
        Assert.That(Frozen(model), Is.Empty);
        tuner.FreezeUntil("backbone");
        Assert.That(Trainable(model), Is.EqualTo(new[] { "fc.weight", "fc.bias" }));
        Assert.That(tuner.IsBackboneFrozen, Is.True);
    }

    [Test]
    public void FreezeUntilRejectsTheHeadAndUnknownNames()
    {
        var tuner = new FineTuner(ResNet18());
        Assert.That(Assert.Throws<ArgumentException>(() => tuner.FreezeUntil("fc"))!.Message, Does.Contain("head"));
        Assert.That(Assert.Throws<ArgumentException>(() => tuner.FreezeUntil("fc.weight"))!.Message, Does.Contain("head"));
        var e = Assert.Throws<ArgumentException>(() => tuner.FreezeUntil("layer9"))!;
        Assert.That(e.Message, Does.Contain("layer9").And.Contain("stem, layer1, layer2, layer3, layer4, fc"));
    }

    [Test]
    public void UnfreezeNextGoesFromTheHeadDown()
    {
        var model = ResNet18();
        var tuner = new FineTuner(model);
        tuner.FreezeBackbone();
        var order = new List<string>();
        while (tuner.UnfreezeNext() is { } b) order.Add(b.Name);
        Assert.That(order, Is.EqualTo(new[] { "layer4", "layer3", "layer2", "layer1", "stem" }));
        Assert.That(Frozen(model), Is.Empty);
        Assert.That(tuner.UnfreezeNext(), Is.Null);
    }

    [Test]
    public void ReplaceHeadMakesANewLinearForTheNewClasses()
    {
        var model = ResNet18(1000);
        var tuner = new FineTuner(model);
        var head = tuner.ReplaceHead(7, generator: new Generator(2));
        Assert.That(head, Is.InstanceOf<Linear>());
        Assert.That(model.Fc, Is.SameAs(head));
        Assert.That(((Linear)head).InFeatures, Is.EqualTo(512));
        using var x = Tensor.Randn(new Shape(2, 3, 32, 32), generator: new Generator(3));
        model.Eval();
        Assert.That(model.Forward(x).Shape, Is.EqualTo(new Shape(2, 7)));

        var mlp = tuner.ReplaceHead(3, hidden: 16, dropout: 0.2f);
        Assert.That(mlp.NamedModules().Select(m => m.Module).OfType<Dropout>().Count(), Is.EqualTo(1));
        Assert.That(tuner.Layout.HeadBlock.Name, Is.EqualTo("fc"));
        Assert.That(model.Forward(x).Shape, Is.EqualTo(new Shape(2, 3)));
    }

    [Test]
    public void ParameterGroupsScaleLearningRatesWithDistanceFromTheHead()
    {
        var model = ResNet18();
        var tuner = new FineTuner(model);
        tuner.FreezeBackbone();
        var groups = tuner.ParameterGroups(1.0, backboneScale: 0.1, blockDecay: 0.5);
        Assert.That(groups.Select(g => g.Name), Is.EqualTo(tuner.Blocks.Select(b => b.Name)));
        double[] expected = [0.1 * 0.0625, 0.1 * 0.125, 0.1 * 0.25, 0.1 * 0.5, 0.1, 1.0];
        Assert.That(groups.Select(g => g.RequestedLearningRate!.Value), Is.EqualTo(expected).Within(1e-12));
        // Every parameter, frozen ones included, is in exactly one group.
        var all = groups.SelectMany(g => g.Parameters).ToList();
        Assert.That(all, Has.Count.EqualTo(model.Parameters().Count()));
        Assert.That(all.Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(all.Count));
        var optimizer = new NetFromScratch.Training.Optimizers.Adam(groups, lr: 0.5);
        Assert.That(optimizer.ParamGroups.Select(g => g.LearningRate), Is.EqualTo(expected).Within(1e-12));
        Assert.That(tuner.Describe(optimizer.ParamGroups), Does.Contain("layer4").And.Contain("frozen").And.Contain("trains"));
    }

    [Test]
    public void SequentialSplitsAtPoolsAndTakesItsLastLinearAsHead()
    {
        var net = CifarCnn.SmallVgg(10, generator: new Generator(4));
        var tuner = new FineTuner(net);
        Assert.That(tuner.Blocks.Select(b => b.Name), Is.EqualTo(new[] { "block1", "block2", "block3", "block4", "head" }));
        Assert.That(tuner.Layout.HeadPath, Is.EqualTo("28"));
        Assert.That(tuner.Blocks[3].Prefixes, Is.EqualTo(new[] { "25" }), "the hidden Linear after Flatten is its own block");
        tuner.ReplaceHead(4);
        using var x = Tensor.Randn(new Shape(2, 3, 32, 32), generator: new Generator(5));
        net.Eval();
        Assert.That(net.Forward(x).Shape, Is.EqualTo(new Shape(2, 4)));
        Assert.That(tuner.Layout.ForwardFeatures(new NetFromScratch.Autograd.Variable(x)).Shape, Is.EqualTo(new Shape(2, 128)));
    }

    [Test]
    public void BackboneWithHeadMakesOneBlockPerTopLevelName()
    {
        var backbone = new Sequential(new Conv2d(3, 4, 3, generator: new Generator(6)), new ReLU(), new Conv2d(4, 4, 3, generator: new Generator(7)), new AdaptiveAvgPool2d(1));
        var model = new BackboneWithHead(backbone, new Linear(4, 2, generator: new Generator(8)));
        var tuner = new FineTuner(model);
        Assert.That(tuner.Blocks.Select(b => b.ToString()), Is.EqualTo(new[] { "0 (backbone.0)", "2 (backbone.2)", "head" }));
        using var x = Tensor.Randn(new Shape(3, 3, 8, 8), generator: new Generator(9));
        Assert.That(tuner.Layout.ForwardFeatures(new NetFromScratch.Autograd.Variable(x)).Shape, Is.EqualTo(new Shape(3, 4)));
        tuner.ReplaceHead(5);
        Assert.That(model.Forward(x).Shape, Is.EqualTo(new Shape(3, 5)));
    }

    [Test]
    public void BackboneWithManyAnonymousNamesIsGroupedIntoParts()
    {
        var backbone = new Sequential();
        for (int i = 0; i < 12; i++) backbone.Add(new Linear(4, 4, generator: new Generator((ulong)i)));
        var tuner = new FineTuner(new BackboneWithHead(backbone, new Linear(4, 2)));
        Assert.That(tuner.Blocks.Select(b => b.Name), Is.EqualTo(new[] { "part1", "part2", "part3", "part4", "part5", "part6", "head" }));
        Assert.That(tuner.Blocks.Take(6).Sum(b => b.Prefixes.Count), Is.EqualTo(12));
    }

    [Test]
    public void VggSplitsAtMaxPoolsAndAHiddenHeadReplacesTheClassifier()
    {
        var vgg = new Vgg(11, classes: 10, generator: new Generator(10));
        var tuner = new FineTuner(vgg);
        Assert.That(tuner.Blocks.Select(b => b.Name), Is.EqualTo(new[] { "block1", "block2", "block3", "block4", "block5", "classifier", "classifier.6" }));
        Assert.That(tuner.Blocks[2].Prefixes, Is.EqualTo(new[] { "features.6", "features.8" }));
        Assert.That(tuner.Blocks[5].Prefixes, Is.EqualTo(new[] { "classifier.0", "classifier.3" }));
        tuner.ReplaceHead(2, hidden: 8);
        Assert.That(tuner.Layout.HeadPath, Is.EqualTo("classifier"));
        Assert.That(tuner.Blocks.Select(b => b.Name).Last(), Is.EqualTo("classifier"));
        Assert.That(((Linear)vgg.Classifier[0]).InFeatures, Is.EqualTo(512 * 7 * 7));
        using var x = Tensor.Randn(new Shape(1, 3, 32, 32), generator: new Generator(11));
        vgg.Eval();
        Assert.That(vgg.Forward(x).Shape, Is.EqualTo(new Shape(1, 2)));
        Assert.That(tuner.Layout.ForwardFeatures(new NetFromScratch.Autograd.Variable(x)).Shape, Is.EqualTo(new Shape(1, 512 * 7 * 7)));

        // The compiled backbone, with the default head (through classifier.0-5) and with the whole classifier as head.
        using (NetFromScratch.Autograd.NoGrad.Scope())
        {
            using var compiled = FrozenBackbone.TryCompile(tuner.Layout)!.Forward(x);
            TensorAssert.Close(tuner.Layout.ForwardFeatures(new NetFromScratch.Autograd.Variable(x)).Data.ToArray(), compiled, atol: 1e-4f, rtol: 1e-3f);
            var other = new FineTuner(new Vgg(11, classes: 3, generator: new Generator(12)));
            other.Model.Eval();
            using var features = FrozenBackbone.TryCompile(other.Layout)!.Forward(x);
            Assert.That(features.Shape, Is.EqualTo(new Shape(1, 4096)));
            TensorAssert.Close(other.Layout.ForwardFeatures(new NetFromScratch.Autograd.Variable(x)).Data.ToArray(), features, atol: 1e-4f, rtol: 1e-3f);
        }
    }
}
