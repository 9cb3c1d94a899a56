using NetFromScratch.Onnx;

namespace NetFromScratch.Tests.Onnx;

/// <summary>Small models and tensors built in code, exercising every modelled field.</summary>
internal static class OnnxSamples
{
    /// <summary>
    /// A small CNN-shaped model: Conv (with attributes of each list kind) -> Relu -> Flatten -> Gemm, a Constant with a
    /// tensor attribute, an If with two subgraphs, initializers in raw and in each typed field, symbolic dims, metadata.
    /// </summary>
    internal static OnnxModel SmallModel()
    {
        var m = new OnnxModel
        {
            IrVersion = 8,
            ProducerName = "nfs-tests",
            ProducerVersion = "1.0",
            Domain = "org.netfromscratch",
            ModelVersion = 3,
            DocString = "a small model",
        };
        m.OpsetImports.Add(new OnnxOpsetId("", 17));
        m.OpsetImports.Add(new OnnxOpsetId("com.microsoft", 1));
        m.MetadataProps.Add(new("author", "tests"));
        m.MetadataProps.Add(new("license", "MIT"));

        var g = m.Graph;
        g.Name = "main_graph";
        g.DocString = "graph doc";
        g.Inputs.Add(OnnxValueInfo.Tensor("x", OnnxDataType.Float, "batch", 1, 4, 4));
        g.Outputs.Add(OnnxValueInfo.Tensor("y", OnnxDataType.Float, "batch", 3));
        g.ValueInfo.Add(OnnxValueInfo.Tensor("h", OnnxDataType.Float, "batch", 2, 4, 4));

        g.Initializers.Add(OnnxTensor.FromFloats("conv.weight", [2, 1, 3, 3], Enumerable.Range(0, 18).Select(i => i * 0.1f - 0.9f).ToArray()));
        var bias = new OnnxTensor { Name = "conv.bias", DataType = OnnxDataType.Float, DocString = "typed floats" };
        bias.Dims.Add(2);
        bias.FloatData.AddRange([0.5f, -0.25f]);
        g.Initializers.Add(bias);
        g.Initializers.Add(OnnxTensor.FromFloats("fc.weight", [3, 32], Enumerable.Range(0, 96).Select(i => (i % 7) - 3f).ToArray()));
        var fcBias = new OnnxTensor { Name = "fc.bias", DataType = OnnxDataType.Double };
        fcBias.Dims.Add(3);
        fcBias.DoubleData.AddRange([1.0, 2.0, -3.5]);
        g.Initializers.Add(fcBias);
        var shape = new OnnxTensor { Name = "shape", DataType = OnnxDataType.Int64 };
        shape.Dims.Add(2);
        shape.Int64Data.AddRange([-1, 32]);
        g.Initializers.Add(shape);
        var halfs = new OnnxTensor { Name = "halfs", DataType = OnnxDataType.Float16 };
        halfs.Dims.Add(2);
        halfs.Int32Data.AddRange([0x3C00, 0xC000]); // 1.0, -2.0
        g.Initializers.Add(halfs);
        var counts = new OnnxTensor { Name = "counts", DataType = OnnxDataType.UInt64 };
        counts.Dims.Add(2);
        counts.UInt64Data.AddRange([7UL, 9UL]);
        g.Initializers.Add(counts);
        var labels = new OnnxTensor { Name = "labels", DataType = OnnxDataType.String };
        labels.Dims.Add(2);
        labels.StringData.Add("cat"u8.ToArray());
        labels.StringData.Add("dog"u8.ToArray());
        g.Initializers.Add(labels);

        var sparse = new OnnxSparseTensor { Values = OnnxTensor.FromFloats("sparse.w", [2], [1f, 2f]), Indices = OnnxTensor.FromInt64s("", [2], [0, 5]) };
        sparse.Dims.AddRange([2, 3]);
        g.SparseInitializers.Add(sparse);

        g.Nodes.Add(OnnxNode.Create("Conv", "conv1", ["x", "conv.weight", "conv.bias"], ["h"],
            OnnxAttribute.FromInts("kernel_shape", 3, 3),
            OnnxAttribute.FromInts("pads", 1, 1, 1, 1),
            OnnxAttribute.FromInts("strides", 1, 1),
            OnnxAttribute.FromString("auto_pad", "NOTSET")));
        g.Nodes.Add(OnnxNode.Create("Relu", "relu1", ["h"], ["r"]));
        g.Nodes.Add(OnnxNode.Create("Flatten", "", ["r"], ["f"], OnnxAttribute.FromInt("axis", 1)));
        g.Nodes.Add(OnnxNode.Create("Gemm", "fc", ["f", "fc.weight", "fc.bias"], ["g"],
            OnnxAttribute.FromFloat("alpha", 1f),
            OnnxAttribute.FromFloat("beta", 0f),
            OnnxAttribute.FromInt("transB", 1)));
        g.Nodes.Add(OnnxNode.Create("Constant", "c", [], ["k"],
            OnnxAttribute.FromTensor("value", OnnxTensor.FromFloats("k.value", [3], [1f, 2f, 3f]))));
        var custom = OnnxNode.Create("FusedThing", "", ["g", "k"], ["z"],
            OnnxAttribute.FromFloats("scales", 0.5f, 2f),
            OnnxAttribute.FromStrings("modes", "a", "bc"));
        custom.Domain = "com.microsoft";
        custom.DocString = "a custom op";
        g.Nodes.Add(custom);

        var thenBranch = new OnnxGraph { Name = "then" };
        thenBranch.Nodes.Add(OnnxNode.Create("Identity", "", ["z"], ["t_out"]));
        thenBranch.Outputs.Add(OnnxValueInfo.Tensor("t_out", OnnxDataType.Float, "batch", 3));
        var elseBranch = new OnnxGraph { Name = "else" };
        elseBranch.Nodes.Add(OnnxNode.Create("Neg", "", ["z"], ["e_out"]));
        elseBranch.Initializers.Add(OnnxTensor.FromFloats("else.c", [1], [4f]));
        elseBranch.Outputs.Add(OnnxValueInfo.Tensor("e_out", OnnxDataType.Float, "batch", 3));
        var cond = OnnxTensor.FromInt64s("", [], [1]);
        cond.DataType = OnnxDataType.Bool;
        cond.RawData = [1];
        g.Nodes.Add(OnnxNode.Create("Constant", "cond", [], ["b"], OnnxAttribute.FromTensor("value", cond)));
        g.Nodes.Add(OnnxNode.Create("If", "branch", ["b"], ["y"],
            OnnxAttribute.FromGraph("then_branch", thenBranch),
            OnnxAttribute.FromGraph("else_branch", elseBranch)));

        var listAttr = new OnnxAttribute { Name = "bodies", Type = OnnxAttributeType.Graphs, DocString = "graphs list", RefAttrName = "" };
        listAttr.Graphs.Add(new OnnxGraph { Name = "empty" });
        var tensorsAttr = new OnnxAttribute { Name = "tables", Type = OnnxAttributeType.Tensors };
        tensorsAttr.Tensors.Add(OnnxTensor.FromInt64s("t0", [2], [4, 5]));
        g.Nodes.Add(OnnxNode.Create("Custom2", "", ["y"], ["unused"], listAttr, tensorsAttr));
        g.Nodes[^1].Domain = "org.test";
        return m;
    }
}
