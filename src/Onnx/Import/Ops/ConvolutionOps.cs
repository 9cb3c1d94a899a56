using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Conv, 1-D and 2-D, with pads, strides, dilations, groups and auto_pad. A 1-D convolution runs as a 2-D one of height
/// 1; uneven padding (SAME with an even window, or explicit begin != end) is applied by a Pad before the convolution.
/// </summary>
internal static class ConvolutionOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Conv", Compile);
    }

    private static NodeKernel Compile(NodeCompilation c)
    {
        var geometry = SpatialAttributes.Read(c, kernelRequired: false);
        int groups = c.ToInt(c.Int("group", 1), "group");
        if (groups < 1) throw c.Error($"attribute 'group' must be positive, got {groups}.");
        int rank = geometry.Rank;
        return f =>
        {
            var x = f.Var(0);
            var w = f.Var(1);
            var b = f.Has(2) ? f.Var(2) : null;
            if (x.Rank != rank + 2 || w.Rank != rank + 2)
                throw new ArgumentException($"expected a {rank}-D convolution: input [N, C, {(rank == 2 ? "H, W" : "L")}] and weight of rank {rank + 2}, got input {x.Shape} and weight {w.Shape}.");
            if (x.Shape[1] != w.Shape[1] * groups)
                throw new ArgumentException($"input {x.Shape} has {x.Shape[1]} channels but weight {w.Shape} with group={groups} expects {w.Shape[1] * groups}.");
            if (w.Shape[0] % groups != 0)
                throw new ArgumentException($"weight {w.Shape} has {w.Shape[0]} output channels, not divisible by group={groups}.");
            if (b is not null && b.Shape != new Shape(w.Shape[0]))
                throw new ArgumentException($"bias {b.Shape} does not match the {w.Shape[0]} output channels of weight {w.Shape}.");
            var kernel = w.Shape.Dims[2..].ToArray();
            if (geometry.Kernel is { } k && !k.SequenceEqual(kernel))
                throw new ArgumentException($"kernel_shape [{string.Join(", ", k)}] differs from the weight's {w.Shape}.");
            var (begin, end) = geometry.Pads(x.Shape.Dims[2..], kernel);
            if (rank == 1)
            {
                x = x.Unsqueeze(2);
                w = w.Unsqueeze(2);
            }
            var y = F.Conv2d(PadUneven(x, begin, end, rank, 0f), w, b, Geometry(geometry, begin, groups));
            f.Out(rank == 1 ? y.Squeeze(2) : y);
        };
    }

    private static Conv2dParams Geometry(SpatialAttributes g, int[] begin, int groups)
    {
        var s = SpatialAttributes.Lift(g.Strides, g.Rank, 1);
        var d = SpatialAttributes.Lift(g.Dilations, g.Rank, 1);
        var p = SpatialAttributes.Lift(begin, g.Rank, 0);
        return new Conv2dParams(s[0], s[1], p[0], p[1], d[0], d[1], groups);
    }

    /// <summary>
    /// When begin and end padding differ on some axis (or <paramref name="force"/>), returns <paramref name="x"/>
    /// (already 2-D) padded explicitly with <paramref name="value"/> and zeroes the pads, so the op itself pads nothing.
    /// </summary>
    internal static Variable PadUneven(Variable x, int[] begin, int[] end, int rank, float value, bool force = false)
    {
        bool even = true;
        for (int i = 0; i < rank; i++) even &= begin[i] == end[i];
        if (even && !force) return x;
        var b = SpatialAttributes.Lift(begin, rank, 0);
        var e = SpatialAttributes.Lift(end, rank, 0);
        // Pad's order is PyTorch's: (left, right) of the last axis, then (top, bottom).
        var padded = x.Pad([b[1], e[1], b[0], e[0]], PadMode.Constant, value);
        Array.Clear(begin);
        Array.Clear(end);
        return padded;
    }
}
