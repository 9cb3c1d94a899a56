using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Index-select (whole slices picked along an axis, as an embedding lookup) and its adjoint index-add
/// (torch.index_add_). Each slice is copied or added as rows, contiguous rows with one span operation.
/// </summary>
internal static class IndexSelection
{
    /// <summary>
    /// <c>y[..., k, ...] = x[..., index[k], ...]</c>. Shape: index <c>[K]</c> contiguous; y (contiguous) is x's shape with
    /// the axis of size K; x any strides.
    /// </summary>
    public static void IndexSelect(Tensor x, int axis, Tensor index, Tensor y)
    {
        IndexCheck.Validate(index, x.Shape[axis], "IndexSelect", axis, "input", x.Shape);
        var split = new AxisSplit(y.Shape, axis);
        var xd = StridedView.DataOf(x);
        var id = StridedView.DataOf(index);
        var yd = StridedView.DataOf(y);
        var xs = x.StridesArray;
        var xInner = split.InnerWalk(xs);
        int xAxis = xs[axis], inner = split.Inner, length = split.Length;
        int rows = split.Outer * length;
        int chunks = AxisSplit.ChunksFor(rows, inner), chunk = (inner + chunks - 1) / chunks;
        int io = index.Offset, yo = y.Offset, xOffset = x.Offset;
        CpuParallel.For(rows * chunks, chunk, (u0, u1) =>
        {
            for (int u = u0; u < u1; u++)
            {
                int row = chunks == 1 ? u : u / chunks, i0 = chunks == 1 ? 0 : u % chunks * chunk, i1 = Math.Min(inner, i0 + chunk);
                int src = split.OuterOffset(row / length, xs, xOffset) + (int)id[io + row % length] * xAxis;
                int dst = yo + row * inner;
                // A span copy pays off on rows; a few elements (selection along a late axis) go one by one.
                if (xInner.IsContiguous && i1 - i0 >= 16)
                    xd.AsSpan(src + i0, i1 - i0).CopyTo(yd.AsSpan(dst + i0, i1 - i0));
                else
                    for (int i = i0; i < i1; i++) yd[dst + i] = xd[src + xInner[i]];
            }
        });
    }

    /// <summary>
    /// <c>target[..., index[k], ...] += source[..., k, ...]</c>, duplicates accumulating. Shape: index <c>[K]</c> contiguous;
    /// source (any strides) is target's shape with the axis of size K; target contiguous, in place.
    /// </summary>
    public static void IndexAdd(Tensor target, int axis, Tensor index, Tensor source)
    {
        IndexCheck.Validate(index, target.Shape[axis], "IndexAdd", axis, "target", target.Shape);
        var split = new AxisSplit(source.Shape, axis);
        var td = StridedView.DataOf(target);
        var id = StridedView.DataOf(index);
        var sd = StridedView.DataOf(source);
        int[] ts = target.StridesArray, ss = source.StridesArray;
        var tInner = split.InnerWalk(ts);
        var sInner = split.InnerWalk(ss);
        bool contiguous = tInner.IsContiguous && sInner.IsContiguous;
        int tAxis = ts[axis], sAxis = ss[axis], inner = split.Inner, length = split.Length, size = target.Shape[axis];
        // Repeated indices hit the same target slice, so work is never split along the source axis. Instead each
        // unit owns one outer position and a block of target slices: it scans every index and adds only those
        // landing in its block, whole rows at a time. Each target element then sums its sources in index order.
        int wanted = 2 * CpuParallel.MaxThreads;
        int blocks = split.Outer >= wanted ? 1 : Math.Min(size, (wanted + split.Outer - 1) / split.Outer);
        int io = index.Offset, tOffset = target.Offset, sOffset = source.Offset;
        CpuParallel.For(split.Outer * blocks, (long)length * inner / blocks + length, (u0, u1) =>
        {
            for (int u = u0; u < u1; u++)
            {
                int o = u / blocks, b = u % blocks;
                int lo = (int)((long)b * size / blocks), hi = (int)((long)(b + 1) * size / blocks);
                int tBase = split.OuterOffset(o, ts, tOffset);
                int sBase = split.OuterOffset(o, ss, sOffset);
                for (int k = 0; k < length; k++)
                {
                    int slice = (int)id[io + k];
                    if (slice < lo || slice >= hi) continue;
                    int tRow = tBase + slice * tAxis, sRow = sBase + k * sAxis;
                    if (contiguous)
                    {
                        var t = td.AsSpan(tRow, inner);
                        TensorPrimitives.Add(t, sd.AsSpan(sRow, inner), t);
                    }
                    else
                        for (int i = 0; i < inner; i++) td[tRow + tInner[i]] += sd[sRow + sInner[i]];
                }
            }
        });
    }
}
