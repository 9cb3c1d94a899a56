using NetFromScratch.Autograd;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;
using static NetFromScratch.Onnx.OnnxAttribute;

namespace NetFromScratch.Tests.Onnx;

/// <summary>The imported graph as a module: names, buffers, constants, training, freezing, folding, inputs and errors.</summary>
public class OnnxImportTests
{
    // conv (3 -> 4) + BN + Relu + GlobalAveragePool + Flatten + Gemm (4 -> 2), PyTorch's names.
    private static GraphSpec SmallCnn(long opset = 13)
    {
        var s = new GraphSpec(opset, "small_cnn.onnx").Input("x", [2, 3, 5, 5], symbolicBatch: true)
            .Weight("features.0.weight", [4, 3, 3, 3]).Weight("features.0.bias", [4])
            .Weight("features.1.weight", [4], 0.3f, 1f).Weight("features.1.bias", [4])
            .Weight("features.1.running_mean", [4], 0.2f).Weight("features.1.running_var", [4], 0.3f, 1f)
            .Weight("fc.weight", [2, 4]).Weight("fc.bias", [2]);
        return s.Node("Conv", ["x", "features.0.weight", "features.0.bias"], ["c"], FromInts("pads", 1, 1, 1, 1))
            .Node("BatchNormalization", ["c", "features.1.weight", "features.1.bias", "features.1.running_mean", "features.1.running_var"], ["b"])
            .Node("Relu", ["b"], ["r"])
            .Node("GlobalAveragePool", ["r"], ["p"])
            .Node("Flatten", ["p"], ["f"])
            .Node("Gemm", ["f", "fc.weight", "fc.bias"], ["y"], FromInt("transB", 1))
            .Output("y");
    }

    private static Tensor Feed(GraphSpec s, int i = 0) => (Tensor)s.Feeds[i].Value;

    [Test]
    public void WeightsBecomeNamedParametersAndBuffersInATree()
    {
        var model = OnnxImporter.Load(SmallCnn().Model);
        Assert.That(model.NamedParameters().Select(p => p.Name),
            Is.EquivalentTo(new[] { "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "fc.weight", "fc.bias" }));
        Assert.That(model.NamedBuffers().Select(b => b.Name), Is.EquivalentTo(new[] { "features.1.running_mean", "features.1.running_var" }));
        Assert.That(model.GetSubmodule("features.0").NamedParameters().Select(p => p.Name), Is.EquivalentTo(new[] { "weight", "bias" }));
        Assert.That(model.ParameterByOnnxName("fc.weight").Shape, Is.EqualTo(new Shape(2, 4)));
        Assert.That(model.ParameterCount(), Is.EqualTo(108 + 4 + 4 + 4 + 8 + 2));
        Assert.That(model.StateDict().Select(kv => kv.Key), Does.Contain("features.1.running_var"));
        Assert.That(model.IsTraining, Is.False, "an imported model starts in evaluation mode");
    }

    [Test]
    public void NamesThatCannotBeModulePathsAreFlattened()
    {
        var s = new GraphSpec(13, "odd_names").Input("x", [2, 3])
            .Weight("a", [3]).Weight("a.b", [3]).Weight("onnx::MatMul_7", [3, 3]).Weight("x..y", [3]).Weight("a_b", [3])
            .Node("Add", ["x", "a"], ["t1"]).Node("Add", ["t1", "a.b"], ["t2"]).Node("MatMul", ["t2", "onnx::MatMul_7"], ["t3"])
            .Node("Add", ["t3", "x..y"], ["t4"]).Node("Add", ["t4", "a_b"], ["y"]).Output("y");
        var model = OnnxImporter.Load(s.Model);
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        // "a" is also the prefix of "a.b": "a.b" keeps its path (scope "a", parameter "b") and "a" moves aside.
        Assert.That(names, Is.EquivalentTo(new[] { "a_1", "a.b", "onnx::MatMul_7", "x__y", "a_b" }));
        Assert.That(model.ModuleNameOf("a"), Is.EqualTo("a_1"));
        Assert.That(model.ModuleNameOf("a.b"), Is.EqualTo("a.b"));
        Assert.That(model.ParameterByOnnxName("x..y").Shape, Is.EqualTo(new Shape(3)));
        var expected = OrtReference.Run(s.Model, s.Feeds.ToArray())[0].Data;
        TensorAssert.Close(expected, model.Forward(Feed(s)).Data, 1e-5f, 1e-5f);
    }

    [Test]
    public void ForwardMatchesOrtAndTrainsWithGradientsOnEveryParameter()
    {
        var s = SmallCnn();
        var model = OnnxImporter.Load(s.Model);
        var expected = OrtReference.Run(s.Model, s.Feeds.ToArray())[0].Data;
        TensorAssert.Close(expected, model.Forward(Feed(s)).Data, 1e-5f, 1e-4f);

        model.Train();
        var before = model.BuffersByOnnxName["features.1.running_mean"].Data.ToArray();
        var loss = model.Forward(Feed(s)).Square().Sum();
        loss.Backward();
        foreach (var (name, p) in model.NamedParameters())
            Assert.That(p.Grad, Is.Not.Null, $"{name} got no gradient");
        Assert.That(model.BuffersByOnnxName["features.1.running_mean"].Data.ToArray(), Is.Not.EqualTo(before),
            "batch norm in training mode updates its running mean");

        // One plain SGD step lowers the loss.
        foreach (var p in model.Parameters()) p.Data.SubInPlace(p.Grad! * 0.05f);
        model.ZeroGrad();
        float after = model.Forward(Feed(s)).Square().Sum().Item();
        Assert.That(after, Is.LessThan(loss.Item()));
    }

    [Test]
    public void BatchNormalizationInTrainingUsesBatchStatistics()
    {
        var s = SmallCnn();
        var model = OnnxImporter.Load(s.Model);
        model.Train();
        var conv = F.Conv2d(new Variable(Feed(s)), model.ParameterByOnnxName("features.0.weight"), model.ParameterByOnnxName("features.0.bias"), padding: 1);
        var mean = conv.Data.Mean([0, 2, 3]).ToArray();
        var runningBefore = model.BuffersByOnnxName["features.1.running_mean"].Data.ToArray();
        model.Forward(Feed(s));
        var runningAfter = model.BuffersByOnnxName["features.1.running_mean"].Data.ToArray();
        // ONNX momentum 0.9 (default) is our 0.1: running = 0.9 running + 0.1 batch.
        for (int c = 0; c < 4; c++) Assert.That(runningAfter[c], Is.EqualTo(0.9f * runningBefore[c] + 0.1f * mean[c]).Within(1e-5f));
    }

    [Test]
    public void FreezingByPrefixStopsGradientsAndBatchStatistics()
    {
        var s = SmallCnn();
        var model = OnnxImporter.Load(s.Model);
        model.Freeze("features");
        Assert.That(model.TrainableParameters().Count(), Is.EqualTo(2));
        model.Train();
        var running = model.BuffersByOnnxName["features.1.running_mean"].Data.ToArray();
        model.Forward(Feed(s)).Sum().Backward();
        Assert.That(model.ParameterByOnnxName("features.0.weight").Grad, Is.Null);
        Assert.That(model.ParameterByOnnxName("fc.weight").Grad, Is.Not.Null);
        Assert.That(model.BuffersByOnnxName["features.1.running_mean"].Data.ToArray(), Is.EqualTo(running),
            "a frozen batch norm keeps its statistics, as our BatchNorm layer");
    }

    [Test]
    public void StateDictSavesAndLoadsByOnnxNames()
    {
        var s = SmallCnn();
        var model = OnnxImporter.Load(s.Model);
        string path = Path.Combine(Path.GetTempPath(), $"nfs-onnx-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var other = OnnxImporter.Load(SmallCnn().Model);
            foreach (var p in other.Parameters()) p.Data.FillInPlace(0f);
            Assert.That(other.Load(path).IsExact);
            TensorAssert.Close(model.Forward(Feed(s)).Data.ToArray(), other.Forward(Feed(s)).Data, 0f, 0f);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ShapePlumbingWithConstantInputsIsFoldedAtLoadTime()
    {
        // Reshape(x, Concat(Unsqueeze(Gather(Constant shape)), -1)) on constants: only the Reshape is left to run.
        var s = new GraphSpec(13, "folded").Input("x", [2, 3, 4])
            .Ints("target_shape", 2, 3, 4).Ints("zero", 0).Ints("axes", 0).Ints("minus_one", -1)
            .Node("Gather", ["target_shape", "zero"], ["n"])
            .Node("Squeeze", ["n", "axes"], ["n0"])
            .Node("Unsqueeze", ["n0", "axes"], ["n1"])
            .Node("Concat", ["n1", "minus_one"], ["shape"], FromInt("axis", 0))
            .Node("Reshape", ["x", "shape"], ["y"]).Output("y");
        var model = OnnxImporter.Load(s.Model);
        Assert.That(model.CompiledNodeCount, Is.EqualTo(1));
        Assert.That(model.Parameters(), Is.Empty);
        Assert.That(model.Forward(Feed(s)).Shape, Is.EqualTo(new Shape(2, 12)));
    }

    [Test]
    public void ScalarAndConfigurationInitializersAreConstantsNotParameters()
    {
        var s = new GraphSpec(13, "constants").Input("x", [2, 3])
            .Floats("two", [], 2f).Floats("lo", [1], -0.5f).Ints("shape", 3, 2).Weight("w", [2])
            .Node("Mul", ["x", "two"], ["a"]).Node("Clip", ["a", "lo"], ["b"]).Node("Reshape", ["b", "shape"], ["c"])
            .Node("Add", ["c", "w"], ["y"]).Output("y");
        var model = OnnxImporter.Load(s.Model);
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "w" }));
        var expected = OrtReference.Run(s.Model, s.Feeds.ToArray())[0].Data;
        TensorAssert.Close(expected, model.Forward(Feed(s)).Data, 1e-6f, 1e-6f);
    }

    [Test]
    public void MultiInputGraphsRunByName()
    {
        var s = new GraphSpec(13, "two_inputs").Input("a", [2, 3]).Input("b", [3]).Weight("w", [3, 4])
            .Node("Add", ["a", "b"], ["s"]).Node("MatMul", ["s", "w"], ["y"]).Node("Relu", ["y"], ["z"]).Output("y", "z");
        var model = OnnxImporter.Load(s.Model);
        var outputs = model.Run(new Dictionary<string, Tensor> { ["b"] = Feed(s, 1), ["a"] = Feed(s, 0) });
        var expected = OrtReference.Run(s.Model, s.Feeds.ToArray());
        TensorAssert.Close(expected[0].Data, outputs["y"], 1e-5f, 1e-5f);
        TensorAssert.Close(expected[1].Data, outputs["z"], 1e-5f, 1e-5f);

        var e = Assert.Throws<OnnxGraphException>(() => model.Forward(Feed(s)))!;
        Assert.That(e.Message, Does.Contain("two_inputs").And.Contain("2 (a, b)"));
        e = Assert.Throws<OnnxGraphException>(() => model.Run(new Dictionary<string, Tensor> { ["a"] = Feed(s, 0) }))!;
        Assert.That(e.Message, Does.Contain("input 'b' was not given"));
    }

    [Test]
    public void InputsOfTheWrongShapeAreNamed()
    {
        var model = OnnxImporter.Load(SmallCnn().Model);
        // The batch is symbolic, so any batch size runs; the channel count is fixed.
        Assert.That(model.Forward(Tensor.Zeros(new Shape(5, 3, 5, 5))).Shape, Is.EqualTo(new Shape(5, 2)));
        var e = Assert.Throws<OnnxGraphException>(() => model.Forward(Tensor.Zeros(new Shape(1, 4, 5, 5))))!;
        Assert.That(e.Message, Is.EqualTo("small_cnn.onnx: input 'x' expects FLOAT [N, 3, 5, 5], got shape [1, 4, 5, 5]."));
    }

    [Test]
    public void ANodeThatFailsNamesTheModelTheNodeAndTheShapes()
    {
        var s = new GraphSpec(13, "bad_conv.onnx").Input("x", [1, 3, 5, 5]).Weight("w", [4, 2, 3, 3])
            .Node("Conv", ["x", "w"], ["y"]).Output("y");
        var model = OnnxImporter.Load(s.Model);
        var e = Assert.Throws<OnnxGraphException>(() => model.Forward(Feed(s)))!;
        Assert.That(e.Message, Does.StartWith("bad_conv.onnx: node[0] (Conv 'conv_0'): input [1, 3, 5, 5] has 3 channels but weight [4, 2, 3, 3]"));
        Assert.That(e.OpType, Is.EqualTo("Conv"));
        Assert.That(e.NodeName, Is.EqualTo("conv_0"));
    }

    [Test]
    public void UnsupportedOpsNameTheOpTheNodeAndTheSupportedOps()
    {
        var s = new GraphSpec(13, "custom.onnx").Input("x", [2, 3])
            .Node("Relu", ["x"], ["r"]).Node("Hardmax", ["r"], ["h"]).Node("Det", ["h"], ["y"]).Output("y");
        var e = Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(s.Model))!;
        Assert.That(e.Message, Does.StartWith("custom.onnx: node[1] (Hardmax 'hardmax_1'): unsupported op 'Hardmax' at opset 13 (also unsupported in this model: Det). Supported ops: Abs, Add,"));
        Assert.That(e.Message, Does.Contain("Conv").And.Contain("Gemm").And.Contain("Unsqueeze"));

        var custom = new GraphSpec(13, "ms.onnx").Input("x", [2, 3]);
        custom.Model.Graph.Nodes.Add(new OnnxNode { OpType = "FusedConv", Domain = "com.microsoft", Name = "fc" });
        custom.Model.Graph.Nodes[0].Inputs.Add("x");
        custom.Model.Graph.Nodes[0].Outputs.Add("y");
        e = Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(custom.Model))!;
        Assert.That(e.Message, Does.Contain("unsupported op 'com.microsoft.FusedConv'"));
    }

    [Test]
    public void AnInitializerWhoseDataDoesNotMatchItsShapeIsNamed()
    {
        var s = SmallCnn();
        var bad = new OnnxTensor { Name = "fc.bias", DataType = OnnxDataType.Float };
        bad.Dims.Add(2);
        bad.FloatData.AddRange([1f, 2f, 3f]);
        int i = s.Model.Graph.Initializers.FindIndex(t => t.Name == "fc.bias");
        s.Model.Graph.Initializers[i] = bad;
        var e = Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(s.Model))!;
        Assert.That(e.Message, Does.StartWith("small_cnn.onnx: initializer 'fc.bias' cannot be read:"));
        Assert.That(e.Message, Does.Contain("3").And.Contain("[2]"));

        // The same inside a Constant node names the node.
        var value = new OnnxTensor { Name = "k", DataType = OnnxDataType.Int64 };
        value.Dims.AddRange([2, 2]);
        value.Int64Data.AddRange([1, 2, 3]);
        var constant = new GraphSpec(13, "constant.onnx").Input("x", [2, 2]).Node("Constant", [], ["k"], FromTensor("value", value))
            .Node("Reshape", ["x", "k"], ["y"]).Output("y");
        e = Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(constant.Model))!;
        Assert.That(e.Message, Does.StartWith("constant.onnx: node[0] (Constant 'constant_0'): "));
        Assert.That(e.Message, Does.Contain("holds 3 values in int64_data but dims [2, 2] of INT64 need 4"));
    }

    [Test]
    public void MalformedGraphsAreReported()
    {
        var missing = new GraphSpec(13, "missing.onnx").Input("x", [2]).Node("Add", ["x", "nowhere"], ["y"]).Output("y");
        Assert.That(Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(missing.Model))!.Message,
            Is.EqualTo("missing.onnx: node[0] (Add 'add_0'): input 'nowhere' is not produced by any node, initializer or graph input."));

        var attr = new GraphSpec(13, "attr.onnx").Input("x", [1, 1, 4, 4]).Node("MaxPool", ["x"], ["y"], FromInts("kernel_shape", 2, 2), FromInts("pads", 1, 1)).Output("y");
        Assert.That(Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(attr.Model))!.Message,
            Does.Contain("(MaxPool 'maxpool_0'): attribute 'pads' must hold 4 values"));

        var type = new GraphSpec(13, "type.onnx").Input("x", [2]).Node("LeakyRelu", ["x"], ["y"], FromInt("alpha", 1)).Output("y");
        Assert.That(Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(type.Model))!.Message,
            Does.Contain("attribute 'alpha' must be FLOAT, got INT"));

        var noOpset = new GraphSpec(13, "noopset.onnx").Input("x", [2]).Node("Relu", ["x"], ["y"]).Output("y");
        noOpset.Model.OpsetImports.Clear();
        Assert.That(Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(noOpset.Model))!.Message, Does.Contain("opset_import"));
    }

    [Test]
    public void NodesOutOfOrderAreSortedTopologically()
    {
        var s = new GraphSpec(13, "unordered").Input("x", [2, 3])
            .Node("Relu", ["t"], ["y"]).Node("Neg", ["x"], ["t"]).Output("y");
        var model = OnnxImporter.Load(s.Model);
        var x = Feed(s);
        TensorAssert.Close(x.ToArray().Select(v => Math.Max(-v, 0f)).ToArray(), model.Forward(x).Data, 0f, 0f);

        var cycle = new GraphSpec(13, "cycle.onnx").Input("x", [2]).Node("Add", ["x", "b"], ["a"]).Node("Neg", ["a"], ["b"]).Output("b");
        Assert.That(Assert.Throws<OnnxGraphException>(() => OnnxImporter.Load(cycle.Model))!.Message, Does.Contain("cycle"));
    }

    [Test]
    public void LegacyFormsBeforeOpset7()
    {
        // Reshape's shape attribute (opset 1-4) and Add's broadcast/axis attributes (before 7): ORT runs neither opset.
        var s = new GraphSpec(4, "legacy").Input("x", [2, 3, 4]).Weight("b", [3])
            .Node("Reshape", ["x"], ["r"], FromInts("shape", 0, 3, -1))
            .Node("Add", ["r", "b"], ["y"], FromInt("broadcast", 1), FromInt("axis", 1)).Output("y");
        var model = OnnxImporter.Load(s.Model);
        var x = Feed(s).ToArray();
        var b = model.ParameterByOnnxName("b").Data.ToArray();
        var expected = new float[24];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int k = 0; k < 4; k++)
                    expected[(n * 3 + c) * 4 + k] = x[(n * 3 + c) * 4 + k] + b[c];
        TensorAssert.Close(expected, model.Forward(Feed(s)).Data, 0f, 0f);

        var bn = new GraphSpec(6, "bn_spatial0").Input("x", [2, 3, 2]).Weight("s", [3, 2], 0.5f, 1f).Weight("b", [3, 2])
            .Weight("m", [3, 2]).Weight("v", [3, 2], 0.3f, 1f)
            .Node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], FromInt("spatial", 0), FromFloat("epsilon", 1e-3f)).Output("y");
        var bnModel = OnnxImporter.Load(bn.Model);
        var xs = Feed(bn).ToArray();
        float[] sv = bnModel.ParameterByOnnxName("s").Data.ToArray(), bv = bnModel.ParameterByOnnxName("b").Data.ToArray();
        float[] mv = bnModel.BuffersByOnnxName["m"].Data.ToArray(), vv = bnModel.BuffersByOnnxName["v"].Data.ToArray();
        var bnExpected = xs.Select((v, i) => (v - mv[i % 6]) / MathF.Sqrt(vv[i % 6] + 1e-3f) * sv[i % 6] + bv[i % 6]).ToArray();
        TensorAssert.Close(bnExpected, bnModel.Forward(Feed(bn)).Data, 1e-5f, 1e-5f);
    }

    [Test]
    public void InitializersListedAsInputsByOldExportersAreWeights()
    {
        var s = new GraphSpec(8, "ir3").Input("x", [2, 3]).Weight("w", [3, 2]).Node("MatMul", ["x", "w"], ["y"]).Output("y");
        s.Model.Graph.Inputs.Add(OnnxValueInfo.Tensor("w", OnnxDataType.Float, 3, 2));
        var model = OnnxImporter.Load(s.Model);
        Assert.That(model.InputNames, Is.EqualTo(new[] { "x" }));
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "w" }));
        TensorAssert.Close(OrtReference.Run(s.Model, s.Feeds.ToArray())[0].Data, model.Forward(Feed(s)).Data, 1e-6f, 1e-5f);
    }

    [Test]
    public void IntegerInputsAndOutputsRunThroughTensorFiles()
    {
        // An embedding lookup: INT64 indices in, FLOAT rows out, plus the indices' shape as an INT64 output.
        var s = new GraphSpec(13, "embedding").IntInput("ids", [2, 3], [0, 3, 1, 4, 4, 2]).Weight("table", [5, 4])
            .Node("Gather", ["table", "ids"], ["y"]).Node("Shape", ["ids"], ["shape"]).Output("y", "shape");
        s.Model.Graph.Outputs[1].Type = NetFromScratch.Onnx.OnnxType.Tensor(OnnxDataType.Int64, 2);
        var outputs = OnnxOpTests.RunOurs(s);
        var expected = OrtReference.Run(s.Model, s.Feeds.ToArray());
        TensorAssert.Close(expected[0].Data, outputs[0].ToFloatArray(), 0f, 0f);
        Assert.That(outputs[1].DataType, Is.EqualTo(OnnxDataType.Int64));
        Assert.That(outputs[1].ToInt64Array(), Is.EqualTo(new long[] { 2, 3 }));

        // The table is a parameter: gradients reach the rows that were looked up.
        var model = OnnxImporter.Load(s.Model);
        var y = model.Run(new Dictionary<string, Variable> { ["ids"] = new Variable(Tensor.FromArray([0f, 3f, 1f, 4f, 4f, 2f], new Shape(2, 3))) });
        y["y"].Sum().Backward();
        Assert.That(model.ParameterByOnnxName("table").Grad!.ToArray(), Is.EqualTo(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2 }));
    }

    [Test]
    public void ConvTransposeAndResizeGradientsMatchFiniteDifferences()
    {
        var convT = new GraphSpec(13, "convT").Input("x", [1, 2, 3, 3]).Input("w", [2, 2, 3, 2]).Input("b", [4])
            .Node("ConvTranspose", ["x", "w", "b"], ["y"], FromInt("group", 2), FromInts("strides", 2, 1), FromInts("pads", 1, 0, 0, 1), FromInts("output_padding", 1, 0))
            .Output("y");
        var model = OnnxImporter.Load(convT.Model);
        var inputs = convT.Feeds.Select(f => new Variable((Tensor)f.Value, requiresGrad: true)).ToArray();
        GradCheck.Check(v => model.Run(new Dictionary<string, Variable> { ["x"] = v[0], ["w"] = v[1], ["b"] = v[2] })["y"], inputs).ThrowIfFailed();

        foreach (var mode in new[] { "linear", "nearest" })
        {
            var resize = new GraphSpec(13, "resize").Input("x", [1, 2, 3, 4]).Floats("scales", [4], 1f, 1f, 1.5f, 0.75f)
                .Node("Resize", ["x", "", "scales"], ["y"], FromString("mode", mode)).Output("y");
            var r = OnnxImporter.Load(resize.Model);
            GradCheck.Check(v => r.Forward(v[0]), new Variable(Feed(resize), requiresGrad: true)).ThrowIfFailed();
        }
    }

    [Test]
    public void DropoutDropsOnlyInTraining()
    {
        var s = new GraphSpec(13, "dropout").Input("x", [64, 64], 0f, 1f).Floats("r", [], 0.5f)
            .Node("Dropout", ["x", "r"], ["y"]).Output("y");
        var model = OnnxImporter.Load(s.Model);
        Assert.That(model.Forward(Feed(s)).Data.ToArray(), Is.All.EqualTo(1f));
        model.Train();
        var y = model.Forward(Feed(s)).Data.ToArray();
        Assert.That(y.Count(v => v == 0f), Is.InRange(1700, 2400));
        Assert.That(y.Where(v => v != 0f), Is.All.EqualTo(2f));
    }
}
