using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// MaxPool and AveragePool (1-D and 2-D, pads, strides, dilations for max, ceil_mode, count_include_pad, auto_pad),
/// GlobalAveragePool and GlobalMaxPool. Padding the kernels cannot take (uneven, or more than half the window) is
/// applied explicitly first: -inf for max pooling; zeros for average pooling, dividing by the pooled count of real
/// elements when the padding is not to be counted.
/// </summary>
internal static class PoolingOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("MaxPool", c => Compile(c, max: true));
        yield return OpInfo.Of("AveragePool", c => Compile(c, max: false));
        yield return OpInfo.Of("GlobalAveragePool", _ => f => f.Out(Global(f.Var(0), max: false)));
        yield return OpInfo.Of("GlobalMaxPool", _ => f => f.Out(Global(f.Var(0), max: true)));
    }

    private static Variable Global(Variable x, bool max)
    {
        if (x.Rank < 3) throw new ArgumentException($"expected [N, C, spatial...], got {x.Shape}.");
        var axes = Enumerable.Range(2, x.Rank - 2).ToArray();
        return max ? x.Max(axes, keepDim: true) : x.Mean(axes, keepDim: true);
    }

    /// <summary>
    /// ONNX's ceil-mode output size, <c>ceil((in + begin + end - ((k - 1) d + 1)) / s) + 1</c>, less one when the last window
    /// would start past the input and its leading padding.
    /// </summary>
    private static int OutputSize(int size, int kernel, int stride, int dilation, int begin, int end)
    {
        int span = size + begin + end - ((kernel - 1) * dilation + 1);
        int o = (span + stride - 1) / stride + 1;
        if ((o - 1) * stride >= size + begin) o--;
        return o;
    }

    private static NodeKernel Compile(NodeCompilation c, bool max)
    {
        var g = SpatialAttributes.Read(c, kernelRequired: true);
        bool ceil = c.Int("ceil_mode", 0) != 0;
        bool countPad = c.Int("count_include_pad", 0) != 0;
        if (!max && g.Dilations.Any(d => d != 1))
            throw c.Error($"AveragePool with dilations [{string.Join(", ", g.Dilations)}] is not supported (only 1).");
        if (max && c.OutputUsed(1))
            throw c.Error("MaxPool's second output (Indices) is not supported.");
        if (max && c.Int("storage_order", 0) != 0 && c.OutputUsed(1))
            throw c.Error("MaxPool's storage_order applies to Indices, which is not supported.");
        int rank = g.Rank;
        var kernel = g.Kernel!;
        var k2 = SpatialAttributes.Lift(kernel, rank, 1);
        var s2 = SpatialAttributes.Lift(g.Strides, rank, 1);
        var d2 = SpatialAttributes.Lift(g.Dilations, rank, 1);
        return f =>
        {
            var x = f.Var(0);
            if (x.Rank != rank + 2)
                throw new ArgumentException($"expected a {rank}-D input [N, C, {(rank == 2 ? "H, W" : "L")}], got {x.Shape}.");
            var (begin, end) = g.Pads(x.Shape.Dims[2..], kernel);
            if (rank == 1) x = x.Unsqueeze(2);
            bool fits = true;
            for (int i = 0; i < rank; i++) fits &= begin[i] == end[i] && begin[i] <= kernel[i] / 2;
            Variable? counts = null;
            int[]? expected = null;
            if (!fits)
            {
                // Explicit padding turns the end padding into input, where the kernel's ceil-mode rule would let a
                // last window start; the size is then cropped to ONNX's (as ONNX Runtime computes it).
                if (ceil) expected = Enumerable.Range(0, rank).Select(i => OutputSize(x.Shape[x.Rank - rank + i], kernel[i], g.Strides[i], g.Dilations[i], begin[i], end[i])).ToArray();
                if (!max && !countPad && begin.Concat(end).Any(p => p > 0))
                {
                    using var ones = Tensor.Ones(new Shape(1, 1, x.Shape[2], x.Shape[3]), x.Device);
                    counts = ConvolutionOps.PadUneven(new Variable(ones), (int[])begin.Clone(), (int[])end.Clone(), rank, 0f, force: true);
                }
                x = ConvolutionOps.PadUneven(x, begin, end, rank, max ? float.NegativeInfinity : 0f, force: true);
            }
            var p2 = SpatialAttributes.Lift(begin, rank, 0);
            var p = new Pool2dParams(k2[0], k2[1], s2[0], s2[1], p2[0], p2[1], d2[0], d2[1], ceil, countPad || counts is not null);
            Variable y;
            if (max) y = F.MaxPool2d(x, p);
            else
            {
                y = F.AvgPool2d(x, p);
                // Both averages divide by the whole window; their ratio is the sum over real elements / their count.
                if (counts is not null) y /= F.AvgPool2d(counts, p);
            }
            if (expected is not null)
                for (int i = 0; i < rank; i++)
                    if (y.Shape[2 + (2 - rank) + i] > expected[i]) y = y.Narrow(2 + (2 - rank) + i, 0, expected[i]);
            f.Out(rank == 1 ? y.Squeeze(2) : y);
        };
    }
}
