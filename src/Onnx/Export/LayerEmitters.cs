using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;

namespace NetFromScratch.Onnx.Export;

/// <summary>The ONNX form of each of our layers. Weights are named by module path (<c>features.0.weight</c>), as PyTorch's exporter names them.</summary>
internal static class LayerEmitters
{
    public static IEnumerable<(Type Type, OnnxModuleEmitter Emitter)> All()
    {
        yield return (typeof(Sequential), Sequential);
        yield return (typeof(Conv2d), Conv);
        yield return (typeof(Linear), Linear);
        yield return (typeof(BatchNorm), BatchNormalization);
        yield return (typeof(ReLU), (c, _, path, x) => c.AddNode("Relu", path, [x]));
        yield return (typeof(Sigmoid), (c, _, path, x) => c.AddNode("Sigmoid", path, [x]));
        yield return (typeof(Tanh), (c, _, path, x) => c.AddNode("Tanh", path, [x]));
        yield return (typeof(LeakyReLU), (c, m, path, x) => c.AddNode("LeakyRelu", path, [x], OnnxAttribute.FromFloat("alpha", ((LeakyReLU)m).NegativeSlope)));
        yield return (typeof(GELU), Gelu);
        yield return (typeof(Identity), (_, _, _, x) => x);
        yield return (typeof(Dropout), Dropout);
        yield return (typeof(Flatten), Flatten);
        yield return (typeof(MaxPool2d), MaxPool);
        yield return (typeof(AvgPool2d), AveragePool);
        yield return (typeof(AdaptiveAvgPool2d), AdaptiveAveragePool);
        yield return (typeof(Softmax), (c, m, path, x) => c.AddNode("Softmax", path, [x], OnnxAttribute.FromInt("axis", ((Softmax)m).Axis)));
        yield return (typeof(LogSoftmax), (c, m, path, x) => c.AddNode("LogSoftmax", path, [x], OnnxAttribute.FromInt("axis", ((LogSoftmax)m).Axis)));
    }

    private static string Sequential(OnnxExportContext c, Module m, string path, string x)
    {
        foreach (var (name, child) in m.NamedChildren()) x = c.Emit(child, OnnxExportContext.Join(path, name), x);
        return x;
    }

    private static string Conv(OnnxExportContext c, Module m, string path, string x)
    {
        var conv = (Conv2d)m;
        var g = conv.Geometry;
        var inputs = new List<string> { x, c.AddInitializer(OnnxExportContext.Join(path, "weight"), conv.Weight.Data) };
        if (conv.Bias is not null) inputs.Add(c.AddInitializer(OnnxExportContext.Join(path, "bias"), conv.Bias.Data));
        return c.AddNode("Conv", path, inputs,
            OnnxAttribute.FromInts("kernel_shape", conv.KernelSize.H, conv.KernelSize.W),
            OnnxAttribute.FromInts("strides", g.StrideH, g.StrideW),
            OnnxAttribute.FromInts("pads", g.PadH, g.PadW, g.PadH, g.PadW),
            OnnxAttribute.FromInts("dilations", g.DilationH, g.DilationW),
            OnnxAttribute.FromInt("group", g.Groups));
    }

    private static string Linear(OnnxExportContext c, Module m, string path, string x)
    {
        var linear = (Linear)m;
        string w = c.AddInitializer(OnnxExportContext.Join(path, "weight"), linear.Weight.Data);
        string? b = linear.Bias is null ? null : c.AddInitializer(OnnxExportContext.Join(path, "bias"), linear.Bias.Data);
        if (c.ShapeOf(x).Rank == 2)
            return c.AddNode("Gemm", path, b is null ? [x, w] : [x, w, b],
                OnnxAttribute.FromFloat("alpha", 1f), OnnxAttribute.FromFloat("beta", 1f), OnnxAttribute.FromInt("transB", 1));
        // Batched input [*, in]: x @ W^T (+ b), keeping the weight in its [out, in] layout under its own name.
        string wt = c.AddNode("Transpose", path, [w], OnnxAttribute.FromInts("perm", 1, 0));
        string y = c.AddNode("MatMul", path, [x, wt]);
        return b is null ? y : c.AddNode("Add", path, [y, b]);
    }

    private static string BatchNormalization(OnnxExportContext c, Module m, string path, string x)
    {
        var bn = (BatchNorm)m;
        if (bn.RunningMean is null || bn.RunningVar is null)
            throw new NotSupportedException($"OnnxExporter: {path}: a BatchNorm without running statistics (trackRunningStats: false) has no inference form in ONNX.");
        string scale = bn.Weight is not null
            ? c.AddInitializer(OnnxExportContext.Join(path, "weight"), bn.Weight.Data)
            : c.AddInitializer(OnnxExportContext.Join(path, "onnx_scale"), Tensors.Tensor.Ones(new Tensors.Shape(bn.NumFeatures)));
        string bias = bn.Bias is not null
            ? c.AddInitializer(OnnxExportContext.Join(path, "bias"), bn.Bias.Data)
            : c.AddInitializer(OnnxExportContext.Join(path, "onnx_bias"), Tensors.Tensor.Zeros(new Tensors.Shape(bn.NumFeatures)));
        string mean = c.AddInitializer(OnnxExportContext.Join(path, "running_mean"), bn.RunningMean.Data);
        string variance = c.AddInitializer(OnnxExportContext.Join(path, "running_var"), bn.RunningVar.Data);
        return c.AddNode("BatchNormalization", path, [x, scale, bias, mean, variance],
            OnnxAttribute.FromFloat("epsilon", bn.Eps), OnnxAttribute.FromFloat("momentum", 1f - bn.Momentum));
    }

    private static string Gelu(OnnxExportContext c, Module m, string path, string x)
    {
        if (c.Opset >= 20) return c.AddNode("Gelu", path, [x]);
        // 0.5 x (1 + erf(x / sqrt 2)), as PyTorch writes it before opset 20.
        string scaled = c.AddNode("Div", path, [x, c.AddConstant(MathF.Sqrt(2f))]);
        string erf = c.AddNode("Erf", path, [scaled]);
        string plus = c.AddNode("Add", path, [erf, c.AddConstant(1f)]);
        string times = c.AddNode("Mul", path, [x, plus]);
        return c.AddNode("Mul", path, [times, c.AddConstant(0.5f)]);
    }

    private static string Dropout(OnnxExportContext c, Module m, string path, string x) =>
        c.AddNode("Dropout", path, [x, c.AddConstant(((Dropout)m).P)]);

    private static string Flatten(OnnxExportContext c, Module m, string path, string x)
    {
        var shape = c.ShapeOf(x);
        var flatten = (Flatten)m;
        int start = flatten.StartAxis, end = flatten.EndAxis;
        int s = start < 0 ? start + shape.Rank : start, e = end < 0 ? end + shape.Rank : end;
        if (s == 1 && e == shape.Rank - 1) return c.AddNode("Flatten", path, [x], OnnxAttribute.FromInt("axis", 1));
        // Keep the leading axes (0 copies a dimension), join s..e, keep the rest by their sizes.
        var dims = new List<long>();
        for (int i = 0; i < s; i++) dims.Add(0);
        dims.Add(-1);
        for (int i = e + 1; i < shape.Rank; i++) dims.Add(shape[i]);
        return c.AddNode("Reshape", path, [x, c.AddConstant(dims.ToArray())]);
    }

    private static string MaxPool(OnnxExportContext c, Module m, string path, string x)
    {
        var p = ((MaxPool2d)m).Geometry;
        return c.AddNode("MaxPool", path, [x],
            OnnxAttribute.FromInts("kernel_shape", p.KernelH, p.KernelW),
            OnnxAttribute.FromInts("strides", p.StrideH, p.StrideW),
            OnnxAttribute.FromInts("pads", p.PadH, p.PadW, p.PadH, p.PadW),
            OnnxAttribute.FromInts("dilations", p.DilationH, p.DilationW),
            OnnxAttribute.FromInt("ceil_mode", p.CeilMode ? 1 : 0));
    }

    private static string AveragePool(OnnxExportContext c, Module m, string path, string x)
    {
        var p = ((AvgPool2d)m).Geometry;
        return c.AddNode("AveragePool", path, [x],
            OnnxAttribute.FromInts("kernel_shape", p.KernelH, p.KernelW),
            OnnxAttribute.FromInts("strides", p.StrideH, p.StrideW),
            OnnxAttribute.FromInts("pads", p.PadH, p.PadW, p.PadH, p.PadW),
            OnnxAttribute.FromInt("ceil_mode", p.CeilMode ? 1 : 0),
            OnnxAttribute.FromInt("count_include_pad", p.CountIncludePad ? 1 : 0));
    }

    /// <summary>
    /// Adaptive average pooling, in the simplest form that gives the same cells for this input size: a global pool, an
    /// identity, an ordinary pool (equal windows), a replication (output a multiple of the input), or, in general, one
    /// Slice and ReduceMean per output cell joined by Concat.
    /// </summary>
    private static string AdaptiveAveragePool(OnnxExportContext c, Module m, string path, string x)
    {
        var pool = (AdaptiveAvgPool2d)m;
        var shape = c.ShapeOf(x);
        int h = shape[2], w = shape[3], oh = pool.OutputHeight, ow = pool.OutputWidth;
        if (oh == 1 && ow == 1) return c.AddNode("GlobalAveragePool", path, [x]);
        if (h == oh && w == ow) return x;
        if (h % oh == 0 && w % ow == 0)
            return c.AddNode("AveragePool", path, [x],
                OnnxAttribute.FromInts("kernel_shape", h / oh, w / ow), OnnxAttribute.FromInts("strides", h / oh, w / ow));
        if (oh % h == 0 && ow % w == 0)
        {
            // Each cell covers exactly one input element: repeat rows and columns.
            string split = c.AddNode("Reshape", path, [x, c.AddConstant([0, 0, h, 1, w, 1])]);
            string wide = c.AddNode("Expand", path, [split, c.AddConstant([1, 1, 1, oh / h, 1, ow / w])]);
            return c.AddNode("Reshape", path, [wide, c.AddConstant([0, 0, oh, ow])]);
        }
        var rows = new List<string>();
        for (int i = 0; i < oh; i++)
        {
            int h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
            var cells = new List<string>();
            for (int j = 0; j < ow; j++)
            {
                int w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
                string cell = c.AddNode("Slice", path, [x, c.AddConstant([h0, w0]), c.AddConstant([h1, w1]), c.AddConstant([2, 3])]);
                cells.Add(c.Opset >= 18
                    ? c.AddNode("ReduceMean", path, [cell, c.AddConstant([2, 3])])
                    : c.AddNode("ReduceMean", path, [cell], OnnxAttribute.FromInts("axes", 2, 3)));
            }
            rows.Add(c.AddNode("Concat", path, cells, OnnxAttribute.FromInt("axis", 3)));
        }
        return c.AddNode("Concat", path, rows, OnnxAttribute.FromInt("axis", 2));
    }
}
