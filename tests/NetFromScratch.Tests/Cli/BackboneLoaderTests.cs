using NetFromScratch.Autograd;
using NetFromScratch.Cli.FineTuning;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;
using NetFromScratch.Training.FineTuning;

namespace NetFromScratch.Tests.Cli;

/// <summary>Where fine-tuning gets its networks: builder names, torchvision-named ONNX files, and any ONNX classifier cut before its head.</summary>
public class BackboneLoaderTests
{
    private static float[] Logits(Module m, Tensor x)
    {
        m.Eval();
        using var scope = NoGrad.Scope();
        return m.Forward(x).Data.ToArray();
    }

    [Test]
    public void AnExportedResNetLoadsIntoTheBuiltModel()
    {
        var original = new ResNet(18, 6, new Generator(1));
        var model = OnnxExporter.Export(original, new Shape(1, 3, 32, 32));
        var loaded = BackboneLoader.FromOnnx(model, "resnet18.onnx");
        Assert.That(loaded.Model, Is.InstanceOf<ResNet>());
        Assert.That(loaded.Pretrained, Is.True);
        Assert.That(loaded.OriginalClasses, Is.EqualTo(6));
        Assert.That(loaded.Description, Does.Contain("ResNet-18 (torchvision layout)"));
        using var x = Tensor.Randn(new Shape(2, 3, 32, 32), generator: new Generator(2));
        TensorAssert.Close(Logits(original, x), Logits(loaded.Model, x), atol: 1e-4f, rtol: 1e-4f);
    }

    [Test]
    public void AnyOtherClassifierIsCutBeforeItsLastLinear()
    {
        var original = new Sequential(
            new Conv2d(3, 8, 3, padding: 1, generator: new Generator(3)), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, padding: 1, generator: new Generator(4)), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(),
            new Linear(16, 5, generator: new Generator(5)), new LogSoftmax(1));
        var model = OnnxExporter.Export(original, new Shape(1, 3, 16, 16));
        var loaded = BackboneLoader.FromOnnx(model, "small.onnx");
        Assert.That(loaded.Model, Is.InstanceOf<BackboneWithHead>());
        Assert.That(loaded.OriginalClasses, Is.EqualTo(5));
        Assert.That(loaded.Description, Does.Contain("cut before its last fully connected layer"));
        // The cut graph and the recovered head give the original logits (before its LogSoftmax).
        using var x = Tensor.Randn(new Shape(2, 3, 16, 16), generator: new Generator(6));
        var withoutSoftmax = new Sequential(original.Layers.Take(9).ToArray());
        TensorAssert.Close(Logits(withoutSoftmax, x), Logits(loaded.Model, x), atol: 1e-4f, rtol: 1e-4f);

        var tuner = new FineTuner(loaded.Model);
        Assert.That(tuner.Blocks.Select(b => b.Name), Is.EqualTo(new[] { "0", "1", "4", "head" }));
        Assert.That(loaded.Model.NamedParameters().Select(p => p.Name), Does.Not.Contain("backbone.8.weight"), "the old head's weights left the graph");
        tuner.ReplaceHead(3);
        tuner.FreezeBackbone();
        Assert.That(loaded.Model.TrainableParameters().Count(), Is.EqualTo(2));
        loaded.Model.Train();
        Assert.That(loaded.Model.Forward(x).Shape, Is.EqualTo(new Shape(2, 3)));
    }

    [Test]
    public void MatMulPlusAddBeforeASoftmaxIsAHeadToo()
    {
        var w1 = Tensor.Randn(new Shape(4, 3), generator: new Generator(8));
        var w2 = Tensor.Randn(new Shape(3, 2), generator: new Generator(9));
        var b2 = Tensor.FromArray([0.5f, -0.25f]);
        var graph = new OnnxGraph { Name = "mlp" };
        graph.Initializers.Add(OnnxTensor.FromTensor("w1", w1));
        graph.Initializers.Add(OnnxTensor.FromTensor("w2", w2));
        graph.Initializers.Add(OnnxTensor.FromTensor("b2", b2));
        graph.Nodes.Add(OnnxNode.Create("MatMul", "mm1", ["x", "w1"], ["h"]));
        graph.Nodes.Add(OnnxNode.Create("Relu", "relu", ["h"], ["r"]));
        graph.Nodes.Add(OnnxNode.Create("MatMul", "mm2", ["r", "w2"], ["z"]));
        graph.Nodes.Add(OnnxNode.Create("Add", "add", ["z", "b2"], ["logits"]));
        graph.Nodes.Add(OnnxNode.Create("Softmax", "softmax", ["logits"], ["p"], OnnxAttribute.FromInt("axis", 1)));
        graph.Inputs.Add(OnnxValueInfo.Tensor("x", OnnxDataType.Float, "batch", 4));
        graph.Outputs.Add(OnnxValueInfo.Tensor("p", OnnxDataType.Float, "batch", 2));
        var model = new OnnxModel { IrVersion = 8, Graph = graph };
        model.OpsetImports.Add(new OnnxOpsetId("", 17));

        var cut = OnnxHeadCut.Cut(model);
        Assert.That(cut.FeatureName, Is.EqualTo("r"));
        Assert.That(cut.HeadNode, Is.EqualTo("mm2"));
        Assert.That(cut.Backbone.Graph.Nodes.Select(n => n.Name), Is.EqualTo(new[] { "mm1", "relu" }));
        Assert.That(cut.Backbone.Graph.Initializers.Select(t => t.Name), Is.EqualTo(new[] { "w1" }));
        Assert.That(model.Graph.Nodes, Has.Count.EqualTo(5), "the original is unchanged");
        TensorAssert.Close(w2.T.Contiguous().ToArray(), cut.HeadWeight);
        TensorAssert.Close(b2.ToArray(), cut.HeadBias!);

        var loaded = BackboneLoader.FromOnnx(model, "mlp.onnx");
        using var x = Tensor.Randn(new Shape(3, 4), generator: new Generator(10));
        using var h = x.MatMul(w1);
        using var r = h.Relu();
        using var z = r.MatMul(w2);
        using var expected = z + b2;
        TensorAssert.Close(expected.ToArray(), Tensor.FromArray(Logits(loaded.Model, x), new Shape(3, 2)), atol: 1e-5f);
    }

    [Test]
    public void AGraphWithoutAFinalLinearCannotBeCut()
    {
        var original = new Sequential(new Conv2d(3, 4, 3, generator: new Generator(7)), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten());
        var model = OnnxExporter.Export(original, new Shape(1, 3, 8, 8));
        var e = Assert.Throws<OnnxGraphException>(() => BackboneLoader.FromOnnx(model, "features.onnx"))!;
        Assert.That(e.Message, Does.Contain("fully connected"));
    }

    [Test]
    public void BuilderNamesGiveRandomWeightsAndUnknownNamesFail()
    {
        var loaded = BackboneLoader.Load("resnet18", classes: 4);
        Assert.That(loaded.Pretrained, Is.False);
        Assert.That(((ResNet)loaded.Model).Fc, Is.InstanceOf<Linear>().With.Property("OutFeatures").EqualTo(4));
        Assert.That(Assert.Throws<ArgumentException>(() => BackboneLoader.Load("alexnet"))!.Message, Does.Contain("resnet18"));
        Assert.Throws<FileNotFoundException>(() => BackboneLoader.Load("missing.onnx"));
    }
}
