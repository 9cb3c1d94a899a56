using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// ConvTranspose (1-D and 2-D): the adjoint of a convolution with the same geometry, which the tensor layer already
/// computes as a convolution's input gradient. Its own gradients are the other two convolution passes: dX is the
/// convolution of dY with W, and dW correlates dY with X. Uneven padding is cropped off a padding-free result.
/// Output size per axis: <c>stride (in - 1) + output_padding + dilation (k - 1) + 1 - pad_begin - pad_end</c>.
/// </summary>
internal static class ConvTransposeOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("ConvTranspose", Compile);
    }

    private static NodeKernel Compile(NodeCompilation c)
    {
        var g = SpatialAttributes.Read(c, kernelRequired: false);
        int rank = g.Rank;
        int groups = c.ToInt(c.Int("group", 1), "group");
        string autoPad = c.String("auto_pad", "NOTSET");
        var outputPadding = c.Ints("output_padding")?.Select(v => c.ToInt(v, "output_padding")).ToArray() ?? new int[rank];
        var outputShape = c.Ints("output_shape")?.Select(v => c.ToInt(v, "output_shape")).ToArray();
        var pads = c.Ints("pads")?.Select(v => c.ToInt(v, "pad")).ToArray() ?? new int[2 * rank];
        if (outputPadding.Length != rank) throw c.Error($"attribute 'output_padding' must hold {rank} values.");
        for (int i = 0; i < rank; i++)
            if (outputPadding[i] >= Math.Max(g.Strides[i], g.Dilations[i]))
                throw c.Error($"output_padding {outputPadding[i]} must be smaller than the stride or the dilation.");
        return f =>
        {
            var x = f.Var(0);
            var w = f.Var(1);
            if (x.Rank != rank + 2 || w.Rank != rank + 2)
                throw new ArgumentException($"expected a {rank}-D transposed convolution, got input {x.Shape} and weight {w.Shape}.");
            if (x.Shape[1] != w.Shape[0])
                throw new ArgumentException($"input {x.Shape} has {x.Shape[1]} channels but weight {w.Shape} expects {w.Shape[0]}.");
            int outChannels = w.Shape[1] * groups;
            var kernel = w.Shape.Dims[2..].ToArray();
            var input = x.Shape.Dims[2..].ToArray();
            var begin = new int[rank];
            var end = new int[rank];
            var full = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                full[i] = g.Strides[i] * (input[i] - 1) + outputPadding[i] + (kernel[i] - 1) * g.Dilations[i] + 1;
                if (outputShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
                {
                    int target = outputShape is not null ? outputShape[outputShape.Length - rank + i] : input[i] * g.Strides[i];
                    int total = full[i] - target;
                    if (total < 0) throw new ArgumentException($"output size {target} is larger than the {full[i]} the geometry gives.");
                    (begin[i], end[i]) = autoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
                }
                else if (autoPad != "VALID") (begin[i], end[i]) = (pads[i], pads[rank + i]);
            }
            if (rank == 1)
            {
                x = x.Unsqueeze(2);
                w = w.Unsqueeze(2);
            }
            var s = SpatialAttributes.Lift(g.Strides, rank, 1);
            var d = SpatialAttributes.Lift(g.Dilations, rank, 1);
            var b2 = SpatialAttributes.Lift(begin, rank, 0);
            var e2 = SpatialAttributes.Lift(end, rank, 0);
            var f2 = SpatialAttributes.Lift(full, rank, 1);
            // Even padding (and no output_padding) goes to the kernel; otherwise compute the full result and crop it.
            bool even = b2[0] == e2[0] && b2[1] == e2[1] && outputPadding.All(p => p == 0);
            var p = even ? new Conv2dParams(s[0], s[1], b2[0], b2[1], d[0], d[1], groups) : new Conv2dParams(s[0], s[1], 0, 0, d[0], d[1], groups);
            var shape = even
                ? new Shape(x.Shape[0], outChannels, f2[0] - 2 * b2[0], f2[1] - 2 * b2[1])
                : new Shape(x.Shape[0], outChannels, f2[0], f2[1]);
            var y = Transposed(x, w, shape, p);
            if (!even) y = y.Narrow(2, b2[0], f2[0] - b2[0] - e2[0]).Narrow(3, b2[1], f2[1] - b2[1] - e2[1]);
            if (f.Has(2)) y += f.Var(2).Reshape(1, outChannels, 1, 1);
            f.Out(rank == 1 ? y.Squeeze(2) : y);
        };
    }

    /// <summary>Y = conv_transpose(X, W); dX = conv(dY, W); dW = correlate(dY, X). Shape: X [N, Cin, h, w], W [Cin, Cout/g, kh, kw], Y <paramref name="shape"/>.</summary>
    private static Variable Transposed(Variable x, Variable w, Shape shape, Conv2dParams p)
    {
        Tensor xd = x.Data, wd = w.Data;
        var y = Tensor.Conv2dBackwardInput(xd, wd, shape, p);
        return Variable.Custom("ConvTranspose", y, [x, w], dY => [
            x.RequiresGrad ? Tensor.Conv2d(dY, wd, null, p) : null,
            w.RequiresGrad ? Tensor.Conv2dBackwardWeight(dY, xd, wd.Shape, p) : null,
        ], "dX = conv(dY, W);  dW = correlate(dY, X)");
    }
}
