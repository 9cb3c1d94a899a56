using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Nn;

public class ModuleTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-nn-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void MlpHasTheReferenceLayersAndNames()
    {
        var mlp = Mlp.Create(784, new[] { 128, 64 }, 10);
        Assert.That(mlp.NamedParameters().Select(p => p.Name),
            Is.EqualTo(new[] { "1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias" }));
        Assert.That(mlp.ParameterCount(), Is.EqualTo(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10));
        var y = mlp.Forward(Tensor.Zeros(new Shape(5, 1, 28, 28)));
        Assert.That(y.Shape, Is.EqualTo(new Shape(5, 10)));
    }

    [Test]
    public void Vgg16HasTorchvisionsNamesAndParameterCount()
    {
        var vgg = new Vgg(16, generator: new Generator(1));
        Assert.That(vgg.ParameterCount(), Is.EqualTo(138_357_544));
        var names = vgg.NamedParameters().Select(p => p.Name).ToList();
        Assert.That(names[0], Is.EqualTo("features.0.weight"));
        Assert.That(names, Does.Contain("features.28.bias"));
        Assert.That(names, Does.Contain("classifier.6.weight"));
        Assert.That(vgg.Summary(), Does.Contain("Total params: 138,357,544"));
        var bn = new Vgg(11, batchNorm: true, classes: 10);
        Assert.That(bn.StateDict().Select(kv => kv.Key), Does.Contain("features.1.running_var"));
    }

    [Test]
    public void ResNetsHaveTorchvisionsNamesAndParameterCounts()
    {
        var r50 = new ResNet(50, generator: new Generator(1));
        Assert.That(r50.ParameterCount(), Is.EqualTo(25_557_032));
        Assert.That(r50.Summary(), Does.Contain("Total params: 25,557,032"));
        var keys = r50.StateDict().Select(kv => kv.Key).ToList();
        Assert.That(keys, Does.Contain("layer1.0.downsample.0.weight"));
        Assert.That(keys, Does.Contain("layer4.2.bn3.num_batches_tracked"));
        Assert.That(keys[^2], Is.EqualTo("fc.weight"));
        Assert.That(new ResNet(18).ParameterCount(), Is.EqualTo(11_689_512));
        Assert.That(new ResNet(34).ParameterCount(), Is.EqualTo(21_797_672));
    }

    [Test]
    public void SummaryShowsOutputShapesAndTrainability()
    {
        var cnn = CifarCnn.Create();
        cnn.Freeze("0");
        var s = cnn.Summary(new Shape(1, 3, 32, 32));
        Assert.That(s, Does.Contain("[1, 64, 4, 4]"));
        Assert.That(s, Does.Contain("[1, 10]"));
        Assert.That(s, Does.Contain("frozen"));
        Assert.That(s, Does.Contain("Total params: 122,570"));
        Assert.That(s, Does.Contain("Non-trainable params: 896"));
    }

    [Test]
    public void FreezeStopsGradientsForTheNamedPrefixOnly()
    {
        var net = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        net.Freeze("0");
        var loss = net.Forward(Tensor.Ones(new Shape(2, 3))).Sum();
        loss.Backward();
        var p = net.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter);
        Assert.That(p["0.weight"].Grad, Is.Null);
        Assert.That(p["0.bias"].Grad, Is.Null);
        Assert.That(p["2.weight"].Grad, Is.Not.Null);
        Assert.That(net.TrainableParameters().Count(), Is.EqualTo(2));
        net.Unfreeze();
        Assert.That(net.TrainableParameters().Count(), Is.EqualTo(4));
        Assert.That(Assert.Throws<ArgumentException>(() => net.Freeze("layer9"))!.Message,
            Does.Contain("'layer9'").And.Contain("0.weight, 0.bias, 2.weight, 2.bias"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ReLU().Freeze("0"))!.Message, Does.Contain("it has no parameters"));
    }

    [Test]
    public void TrainAndEvalReachEveryDescendant()
    {
        var net = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5f)));
        net.Eval();
        Assert.That(net.NamedModules().All(m => !m.Module.IsTraining), Is.True);
        net.Train();
        Assert.That(net.NamedModules().All(m => m.Module.IsTraining), Is.True);
    }

    [Test]
    public void StateDictRoundTripsThroughSafetensors()
    {
        var a = CifarCnn.SmallVgg(generator: new Generator(1));
        var b = CifarCnn.SmallVgg(generator: new Generator(2));
        string path = Path.Combine(_dir, "model.safetensors");
        a.Save(path);
        var result = b.Load(path);
        Assert.That(result.IsExact, Is.True);
        foreach (var ((name, ta), (_, tb)) in a.StateDict().Zip(b.StateDict()))
            Assert.That(tb.ToArray(), Is.EqualTo(ta.ToArray()), name);
    }

    [Test]
    public void StrictLoadingReportsMissingUnexpectedAndMismatchedKeys()
    {
        var net = new Sequential(new Linear(3, 4), new Linear(4, 2));
        var state = new List<KeyValuePair<string, Tensor>>
        {
            new("0.weight", Tensor.Ones(new Shape(4, 3))),
            new("0.bias", Tensor.Ones(new Shape(5))),
            new("extra.weight", Tensor.Ones(new Shape(1))),
        };
        var e = Assert.Throws<InvalidOperationException>(() => net.LoadStateDict(state))!;
        Assert.That(e.Message, Does.Contain("missing keys: 1.weight, 1.bias")
            .And.Contain("unexpected keys: extra.weight")
            .And.Contain("0.bias (model [4], file [5])"));
        Assert.That(net.StateDict()[0].Value.ToArray().All(v => v == 1f), Is.False, "strict failure copies nothing");

        var r = net.LoadStateDict(state, strict: false);
        Assert.That(r.Missing, Is.EqualTo(new[] { "1.weight", "1.bias" }));
        Assert.That(net.StateDict()[0].Value.ToArray().All(v => v == 1f), Is.True, "matching keys are copied");
    }

    [Test]
    public void ForwardHooksSeeEveryCallAndCanBeRemoved()
    {
        var layer = new Linear(2, 3);
        var seen = new List<Shape>();
        var handle = layer.RegisterForwardHook((_, input, output) => seen.Add(output.Shape));
        layer.Forward(Tensor.Zeros(new Shape(4, 2)));
        handle.Dispose();
        layer.Forward(Tensor.Zeros(new Shape(4, 2)));
        Assert.That(seen, Is.EqualTo(new[] { new Shape(4, 3) }));
    }

    [Test]
    public void ReplacingAHeadUpdatesTheTypedProperty()
    {
        var r = new ResNet(18, classes: 1000);
        var head = new Linear(512, 5);
        r.ReplaceModule("fc", head);
        Assert.That(r.Fc, Is.SameAs(head));
        Assert.That(r.StateDict().Last().Value.Shape, Is.EqualTo(new Shape(5)));
        Assert.That(r.ToString(), Does.Contain("(fc): Linear(in_features=512, out_features=5, bias=True)"));
    }

    [Test]
    public void ApplyVisitsEveryModule()
    {
        var net = new Sequential(new Linear(2, 2), new ReLU(), new Linear(2, 1));
        int linears = 0;
        net.Apply(m => { if (m is Linear l) { linears++; NetFromScratch.Nn.Init.Initializers.Zeros(l.Weight.Data); } });
        Assert.That(linears, Is.EqualTo(2));
        Assert.That(net.Parameters().First().Data.ToArray().All(v => v == 0f), Is.True);
    }
}
