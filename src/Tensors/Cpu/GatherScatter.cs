namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Gather (torch.gather) and its adjoint scatter-add (torch.scatter_add_). Both walk the index tensor in
/// row-major order; the index picks the position along the axis, every other coordinate is shared.
/// </summary>
internal static class GatherScatter
{
    /// <summary>
    /// <c>y[p] = x[p with p[axis] = index[p]]</c>. Shape: index and y alike (contiguous), each size at most x's
    /// except along the axis; x any strides.
    /// </summary>
    public static void Gather(Tensor x, int axis, Tensor index, Tensor y)
    {
        IndexCheck.Validate(index, x.Shape[axis], "Gather", axis, "input", x.Shape);
        var split = new AxisSplit(index.Shape, axis);
        var xd = StridedView.DataOf(x);
        var id = StridedView.DataOf(index);
        var yd = StridedView.DataOf(y);
        var xs = x.StridesArray;
        var xInner = split.InnerWalk(xs);
        int xAxis = xs[axis], inner = split.Inner, length = split.Length;
        int rows = split.Outer * length;
        int chunks = AxisSplit.ChunksFor(rows, inner), chunk = (inner + chunks - 1) / chunks;
        int io = index.Offset, yo = y.Offset, xOffset = x.Offset;
        // Rows of y are disjoint, so any split of them is race-free.
        CpuParallel.For(rows * chunks, chunk, (u0, u1) =>
        {
            if (chunks == 1) GatherRows(u0, u1, 0, inner);
            else
                for (int u = u0; u < u1; u++)
                    GatherRows(u / chunks, u / chunks + 1, u % chunks * chunk, Math.Min(inner, (u % chunks + 1) * chunk));
        });

        // Rows r0..r1 of y (row = outer position and axis position), inner positions i0..i1 of each.
        void GatherRows(int r0, int r1, int i0, int i1)
        {
            int o = r0 / length, k = r0 % length;
            int xBase = split.OuterOffset(o, xs, xOffset);
            for (int row = r0; row < r1; row++)
            {
                int flat = row * inner;
                if (xInner.Table is null)
                {
                    int s = xInner.Stride;
                    for (int i = i0; i < i1; i++)
                        yd[yo + flat + i] = xd[xBase + (int)id[io + flat + i] * xAxis + i * s];
                }
                else
                {
                    var table = xInner.Table;
                    for (int i = i0; i < i1; i++)
                        yd[yo + flat + i] = xd[xBase + (int)id[io + flat + i] * xAxis + table[i]];
                }
                if (++k == length)
                {
                    k = 0;
                    xBase = split.OuterOffset(++o, xs, xOffset);
                }
            }
        }
    }

    /// <summary>
    /// <c>target[p with p[axis] = index[p]] += source[p]</c> for every position p of index. Shape: index (contiguous)
    /// and source (any strides) alike, each size at most target's except along the axis; target contiguous, in place.
    /// </summary>
    public static void ScatterAdd(Tensor target, int axis, Tensor index, Tensor source)
    {
        IndexCheck.Validate(index, target.Shape[axis], "ScatterAdd", axis, "target", target.Shape);
        var split = new AxisSplit(index.Shape, axis);
        var td = StridedView.DataOf(target);
        var id = StridedView.DataOf(index);
        var sd = StridedView.DataOf(source);
        int[] ts = target.StridesArray, ss = source.StridesArray;
        var tInner = split.InnerWalk(ts);
        var sInner = split.InnerWalk(ss);
        int tAxis = ts[axis], sAxis = ss[axis], inner = split.Inner, length = split.Length;
        int chunks = AxisSplit.ChunksFor(split.Outer, inner), chunk = (inner + chunks - 1) / chunks;
        int io = index.Offset, tOffset = target.Offset, sOffset = source.Offset;
        // Duplicate indices collide only along the axis, so each work unit owns whole lines along it: one outer
        // position and a range of inner positions. Within a line, additions run in index order on every thread count.
        CpuParallel.For(split.Outer * chunks, (long)length * chunk, (u0, u1) =>
        {
            for (int u = u0; u < u1; u++)
            {
                // chunks is 1 unless there are few outer positions; skip the divisions then.
                int o = chunks == 1 ? u : u / chunks, i0 = chunks == 1 ? 0 : u % chunks * chunk, i1 = Math.Min(inner, i0 + chunk);
                int tBase = split.OuterOffset(o, ts, tOffset);
                int sBase = split.OuterOffset(o, ss, sOffset);
                for (int k = 0; k < length; k++)
                {
                    int flat = io + (o * length + k) * inner;
                    int sRow = sBase + k * sAxis;
                    for (int i = i0; i < i1; i++)
                        td[tBase + (int)id[flat + i] * tAxis + tInner[i]] += sd[sRow + sInner[i]];
                }
            }
        });
    }
}
