using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Onnx;

/// <summary>
/// Modules built here, exported, run by ONNX Runtime and compared with our own forward pass (evaluation mode);
/// then imported back and exported again. Tolerance: |ours - ORT| &lt;= 1e-4 max|ORT| + 1e-3 |ORT| for whole networks
/// (float32 sums in another order through up to 20 layers), 1e-5 + 1e-4 |ORT| for single layers.
/// </summary>
public class OnnxExportTests
{
    /// <summary>Gives every parameter and buffer deterministic, non-trivial values (variances positive), so batch norm and biases matter.</summary>
    internal static T Randomize<T>(T module, int seed = 3) where T : Module
    {
        var g = new Generator((ulong)seed);
        foreach (var (name, t) in module.StateDict())
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            using var r = Tensor.Uniform(t.Shape, -1f, 1f, g);
            if (name.EndsWith("running_var", StringComparison.Ordinal)) r.MulInPlace(0.4f).AddInPlace(1f);
            else if (name.EndsWith("weight", StringComparison.Ordinal) && t.Rank > 1) r.MulInPlace(MathF.Sqrt(3f / (t.Numel / t.Shape[0])));
            t.CopyFrom(r);
        }
        module.Eval();
        return module;
    }

    private static Tensor Input(Shape shape, int seed = 11) => Tensor.FromArray(TensorAssert.RandomData(shape.Numel, seed), shape);

    private static float[] Ours(Module module, Tensor x)
    {
        using var _ = NoGrad.Scope();
        return module.Forward(x).Data.ToArray();
    }

    private static void AssertNetworkClose(float[] expected, float[] actual)
    {
        float scale = expected.Max(MathF.Abs);
        TensorAssert.Close(expected, actual, 1e-4f * scale + 1e-6f, 1e-3f);
    }

    private static OnnxModel RoundTripBytes(OnnxModel model) => OnnxModel.Parse(model.ToBytes(), model.Source);

    public static IEnumerable<TestCaseData> Layers()
    {
        TestCaseData Case(string name, Func<Module> make, int[] shape) => new TestCaseData(make, shape).SetName($"Layer_{name}");
        yield return Case("Conv2d", () => new Conv2d(3, 4, 3, padding: 1), [2, 3, 7, 6]);
        yield return Case("Conv2d_stride_dilation_groups", () => new Conv2d(4, 6, 3, stride: 2, padding: 2, dilation: 2, groups: 2), [2, 4, 9, 8]);
        yield return Case("Conv2d_no_bias_rect", () => new Conv2d(3, 2, (3, 1), new Conv2dParams(1, 2, 1, 0), bias: false), [1, 3, 6, 7]);
        yield return Case("BatchNorm2d", () => new BatchNorm2d(3, eps: 1e-3f), [2, 3, 4, 4]);
        yield return Case("BatchNorm1d", () => new BatchNorm1d(5), [4, 5]);
        yield return Case("Linear", () => new Linear(5, 3), [4, 5]);
        yield return Case("Linear_no_bias", () => new Linear(5, 3, bias: false), [4, 5]);
        yield return Case("Linear_batched_3d", () => new Linear(5, 3), [2, 4, 5]);
        yield return Case("ReLU", () => new ReLU(), [2, 7]);
        yield return Case("LeakyReLU", () => new LeakyReLU(0.2f), [2, 7]);
        yield return Case("Sigmoid", () => new Sigmoid(), [2, 7]);
        yield return Case("Tanh", () => new Tanh(), [2, 7]);
        yield return Case("GELU", () => new GELU(), [2, 7]);
        yield return Case("Identity", () => new Sequential(new Identity(), new ReLU()), [2, 7]);
        yield return Case("Dropout", () => new Dropout(0.3f), [2, 7]);
        yield return Case("Flatten", () => new Flatten(), [2, 3, 2, 2]);
        yield return Case("Flatten_middle", () => new Flatten(1, 2), [2, 3, 2, 2]);
        yield return Case("Flatten_all", () => new Flatten(0), [2, 3, 2]);
        yield return Case("MaxPool2d", () => new MaxPool2d(3, 2, 1), [2, 3, 7, 7]);
        yield return Case("MaxPool2d_ceil_dilation", () => new MaxPool2d(2, 2, 0, 2, ceilMode: true), [1, 2, 8, 7]);
        yield return Case("AvgPool2d", () => new AvgPool2d(2), [2, 3, 6, 6]);
        yield return Case("AvgPool2d_pad_exclude_ceil", () => new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false), [1, 2, 7, 8]);
        yield return Case("AdaptiveAvgPool2d_global", () => new AdaptiveAvgPool2d(1), [2, 3, 5, 5]);
        yield return Case("AdaptiveAvgPool2d_divisible", () => new AdaptiveAvgPool2d(2, 3), [2, 3, 4, 6]);
        yield return Case("AdaptiveAvgPool2d_replicate", () => new AdaptiveAvgPool2d(7), [2, 3, 1, 1]);
        yield return Case("AdaptiveAvgPool2d_general", () => new AdaptiveAvgPool2d(3), [1, 2, 5, 7]);
        yield return Case("Softmax", () => new Softmax(1), [2, 3, 4]);
        yield return Case("LogSoftmax", () => new LogSoftmax(), [2, 5]);
        yield return Case("BasicBlock_downsample", () => new BasicBlock(4, 6, 2), [1, 4, 6, 6]);
        yield return Case("BasicBlock_identity", () => new BasicBlock(4, 4), [2, 4, 5, 5]);
        yield return Case("Bottleneck", () => new Bottleneck(8, 4, 2), [1, 8, 6, 6]);
        yield return Case("Mlp", () => Mlp.Create(12, [8, 6], 3, dropout: 0.1f), [2, 3, 2, 2]);
    }

    [TestCaseSource(nameof(Layers))]
    public void LayerMatchesOnnxRuntimeAndReimports(Func<Module> make, int[] shape)
    {
        var module = Randomize(make());
        var x = Input(new Shape(shape));
        var model = RoundTripBytes(OnnxExporter.Export(module, new Shape(shape)));
        var expected = OrtReference.Run(model, ("input", x))[0];
        var ours = Ours(module, x);
        Assert.That(expected.Dims.Aggregate(1, (p, d) => p * d), Is.EqualTo(ours.Length));
        TensorAssert.Close(expected.Data, ours, 1e-5f, 1e-4f);

        var imported = OnnxImporter.Load(model);
        TensorAssert.Close(ours, Ours(imported, x), 1e-5f, 1e-4f);
    }

    [Test]
    public void ExportsAtOpset13Too()
    {
        var module = Randomize(new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4), new ReLU(), new Dropout(0.2f), new AdaptiveAvgPool2d(3), new Flatten(), new Linear(36, 5), new Softmax()));
        var x = Input(new Shape(2, 3, 8, 9));
        var model = RoundTripBytes(OnnxExporter.Export(module, x.Shape, new OnnxExportOptions { Opset = 13 }));
        Assert.That(model.OpsetVersion(), Is.EqualTo(13));
        Assert.That(model.IrVersion, Is.EqualTo(7));
        TensorAssert.Close(OrtReference.Run(model, ("input", x))[0].Data, Ours(module, x), 1e-5f, 1e-4f);
        TensorAssert.Close(Ours(module, x), Ours(OnnxImporter.Load(model), x), 1e-5f, 1e-4f);
    }

    [Test]
    public void TheBatchDimensionIsSymbolic()
    {
        var module = Randomize(CifarCnn.Create());
        var model = RoundTripBytes(OnnxExporter.Export(module, new Shape(1, 3, 32, 32)));
        Assert.That(model.Graph.Inputs[0].ToString(), Is.EqualTo("input: FLOAT [batch, 3, 32, 32]"));
        Assert.That(model.Graph.Outputs[0].ToString(), Is.EqualTo("output: FLOAT [batch, 10]"));
        var x = Input(new Shape(3, 3, 32, 32));
        AssertNetworkClose(OrtReference.Run(model, ("input", x))[0].Data, Ours(module, x));
    }

    [Test]
    public void SmallVggMatchesOnnxRuntime()
    {
        var module = Randomize(CifarCnn.SmallVgg());
        var x = Input(new Shape(2, 3, 32, 32));
        var model = RoundTripBytes(OnnxExporter.Export(module, x.Shape));
        Assert.That(model.Graph.Initializers.Select(t => t.Name), Does.Contain("0.weight").And.Contain("1.running_var").And.Contain("28.bias"));
        var ours = Ours(module, x);
        AssertNetworkClose(OrtReference.Run(model, ("input", x))[0].Data, ours);

        // Import, export the imported graph, import again: the same outputs throughout.
        var imported = OnnxImporter.Load(model);
        AssertNetworkClose(ours, Ours(imported, x));
        var again = OnnxImporter.Load(RoundTripBytes(OnnxExporter.Export(imported, x.Shape)));
        TensorAssert.Close(Ours(imported, x), Ours(again, x), 0f, 0f);
    }

    [Test]
    public void ResNet18MatchesOnnxRuntimeAndLoadsBackByName()
    {
        var resnet = Randomize(new ResNet(18, classes: 10, generator: new Generator(1)));
        var x = Input(new Shape(2, 3, 32, 32));
        var model = RoundTripBytes(OnnxExporter.Export(resnet, x.Shape));
        var ours = Ours(resnet, x);
        AssertNetworkClose(OrtReference.Run(model, ("input", x))[0].Data, ours);
        Assert.That(model.Graph.Nodes.Count(n => n.OpType == "Add"), Is.EqualTo(8), "one residual Add per basic block");

        // The imported graph has torchvision's names: the state dict matches the builder's (less num_batches_tracked).
        var imported = OnnxImporter.Load(model);
        var builderNames = resnet.StateDict().Select(kv => kv.Key).Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        Assert.That(imported.StateDict().Select(kv => kv.Key), Is.EquivalentTo(builderNames));
        AssertNetworkClose(ours, Ours(imported, x));
        imported.Freeze("layer1");
        Assert.That(imported.NamedParameters().Where(p => !p.Parameter.RequiresGrad).Select(p => p.Name), Is.All.StartsWith("layer1."));

        // Weights load by name into a freshly built ResNet-18.
        var fresh = new ResNet(18, classes: 10, generator: new Generator(99)).Eval();
        var result = OnnxImporter.LoadInto(fresh, model);
        Assert.That(result.IsExact, Is.True, result.ToString());
        TensorAssert.Close(ours, Ours(fresh, x), 0f, 0f);

        // Import -> export -> import gives the same outputs.
        var reimported = OnnxImporter.Load(RoundTripBytes(imported.ToOnnx()));
        TensorAssert.Close(Ours(imported, x), Ours(reimported, x), 0f, 0f);
    }

    [Test]
    public void AnImportedNetworkTrainsExactlyLikeTheBuiltOne()
    {
        // Same weights, same batch, training mode (batch statistics): the same loss, gradients and running statistics.
        var built = Randomize(new Sequential(new Conv2d(3, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(), new BasicBlock(4, 6, 2),
            new MaxPool2d(2), new Flatten(), new Linear(24, 3), new LogSoftmax()));
        var x = Input(new Shape(4, 3, 8, 8));
        var imported = OnnxImporter.Load(RoundTripBytes(OnnxExporter.Export(built, x.Shape)));
        built.Train();
        imported.Train();
        var lossBuilt = built.Forward(x).Square().Mean();
        var lossImported = imported.Forward(x).Square().Mean();
        Assert.That(lossImported.Item(), Is.EqualTo(lossBuilt.Item()).Within(1e-6f).Percent);
        lossBuilt.Backward();
        lossImported.Backward();
        var gradients = imported.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad!);
        foreach (var (name, p) in built.NamedParameters())
            TensorAssert.Close(p.Grad!.ToArray(), gradients[name], 1e-6f, 1e-4f);
        var statistics = imported.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, t) in built.StateDict().Where(kv => kv.Key.Contains("running")))
            TensorAssert.Close(t.ToArray(), statistics[name], 1e-6f, 1e-5f);
    }

    [Test]
    public void LoadIntoReportsDifferences()
    {
        var small = Randomize(new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2)));
        var model = OnnxExporter.Export(small, new Shape(1, 4));
        var other = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 5), new Linear(5, 1));
        var e = Assert.Throws<OnnxGraphException>(() => OnnxImporter.LoadInto(other, model))!;
        Assert.That(e.Message, Does.Contain("LoadInto Sequential").And.Contain("missing keys: 3.weight, 3.bias").And.Contain("2.weight (model [5, 3], file [2, 3])"));
        var result = OnnxImporter.LoadInto(other, model, strict: false);
        Assert.That(result.Missing, Is.EquivalentTo(new[] { "3.weight", "3.bias" }));
        TensorAssert.Close(small.StateDict().First(kv => kv.Key == "0.weight").Value.ToArray(), other.StateDict().First(kv => kv.Key == "0.weight").Value, 0f, 0f);
    }

    [Test]
    public void TrainedImportedModelExportsItsNewWeights()
    {
        var module = Randomize(new Sequential(new Conv2d(2, 3, 3, padding: 1), new BatchNorm2d(3), new ReLU(), new Flatten(), new Linear(48, 2)));
        var x = Input(new Shape(4, 2, 4, 4));
        var imported = OnnxImporter.Load(RoundTripBytes(OnnxExporter.Export(module, x.Shape)));
        imported.Train();
        imported.Forward(x).Square().Mean().Backward();
        foreach (var p in imported.Parameters()) p.Data.SubInPlace(p.Grad! * 0.1f);
        imported.Eval();
        var after = Ours(imported, x);
        Assert.That(after, Is.Not.EqualTo(Ours(module, x)));
        var exported = RoundTripBytes(OnnxExporter.Export(imported, x.Shape));
        TensorAssert.Close(OrtReference.Run(exported, (imported.InputNames[0], x))[0].Data, after, 1e-5f, 1e-4f);
    }

    [Test]
    public void AnImportedGraphInsideAModelIsInlined()
    {
        var backbone = Randomize(new Sequential(new Conv2d(3, 4, 3), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten()));
        var x = Input(new Shape(2, 3, 6, 6));
        var imported = OnnxImporter.Load(RoundTripBytes(OnnxExporter.Export(backbone, x.Shape)));
        var model = new Sequential(imported, Randomize(new Linear(4, 3)));
        model.Eval();
        var exported = RoundTripBytes(OnnxExporter.Export(model, x.Shape));
        Assert.That(exported.Graph.Initializers.Select(t => t.Name), Does.Contain("0.0.weight").And.Contain("1.weight"));
        TensorAssert.Close(OrtReference.Run(exported, ("input", x))[0].Data, Ours(model, x), 1e-5f, 1e-4f);
    }

    private sealed class Scale(float factor) : Module
    {
        public float Factor { get; } = factor;

        protected override Variable ForwardCore(Variable input) => input * Factor;
    }

    [Test]
    public void OtherModulesNeedAnEmitter()
    {
        var model = new Sequential(new Linear(3, 2), new Scale(3f));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, new Shape(1, 3)))!;
        Assert.That(e.Message, Is.EqualTo("OnnxExporter: no emitter for module type 'Scale' at '1'; register one with OnnxExporter.Register<Scale>(...)."));

        OnnxExporter.Register<Scale>((c, m, path, input) => c.AddNode("Mul", path, [input, c.AddConstant(((Scale)m).Factor)]));
        var x = Input(new Shape(2, 3));
        var exported = OnnxExporter.Export(model, x.Shape);
        TensorAssert.Close(OrtReference.Run(exported, ("input", x))[0].Data, Ours(model, x), 1e-6f, 1e-5f);
    }

    [Test, Explicit("VGG-11 holds 129 million parameters: half a gigabyte of weights")]
    public void Vgg11WithBatchNormMatchesOnnxRuntime()
    {
        var vgg = Randomize(new Vgg(11, batchNorm: true, classes: 10));
        var x = Input(new Shape(1, 3, 32, 32));
        var model = RoundTripBytes(OnnxExporter.Export(vgg, x.Shape));
        AssertNetworkClose(OrtReference.Run(model, ("input", x))[0].Data, Ours(vgg, x));
        var fresh = new Vgg(11, batchNorm: true, classes: 10).Eval();
        Assert.That(OnnxImporter.LoadInto(fresh, model).IsExact);
        TensorAssert.Close(Ours(vgg, x), Ours(fresh, x), 0f, 0f);
    }
}
