namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// How a reduction walks its input. Dimensions of size 1 are dropped, the rest ordered by decreasing input stride
/// (memory order, so a transposed input is read forwards) and adjacent dimensions of the same kind merged where
/// memory allows. The innermost dimension then decides the kernel shape:
/// <list type="bullet">
/// <item>reduced (<see cref="InnerReduced"/>): every output element folds rows of <see cref="InnerSize"/> elements,
/// one row per combination of the other reduced dimensions (<c>sum over the last axis</c>);</item>
/// <item>kept: every output row of <see cref="InnerSize"/> elements accumulates one input row per combination of the
/// reduced dimensions, elementwise (<c>sum over axis 0 of [N, C]</c>, the bias-gradient pattern).</item>
/// </list>
/// </summary>
internal sealed class ReductionPlan
{
    private ReductionPlan(int[] keptSizes, int[] keptX, int[] keptY, int[] reducedSizes, int[] reducedX,
        int innerSize, int innerX, int innerY, bool innerReduced)
    {
        KeptSizes = keptSizes;
        KeptXStrides = keptX;
        KeptYStrides = keptY;
        ReducedSizes = reducedSizes;
        ReducedXStrides = reducedX;
        InnerSize = innerSize;
        InnerXStride = innerX;
        InnerYStride = innerY;
        InnerReduced = innerReduced;
        KeptCount = Product(keptSizes);
        RowCount = Product(reducedSizes);
    }

    /// <summary>Kept dimensions other than the inner one: sizes, input strides, output strides.</summary>
    public int[] KeptSizes { get; }
    /// <summary>Input strides of <see cref="KeptSizes"/>.</summary>
    public int[] KeptXStrides { get; }
    /// <summary>Output strides of <see cref="KeptSizes"/>.</summary>
    public int[] KeptYStrides { get; }
    /// <summary>Reduced dimensions other than the inner one.</summary>
    public int[] ReducedSizes { get; }
    /// <summary>Input strides of <see cref="ReducedSizes"/>.</summary>
    public int[] ReducedXStrides { get; }
    /// <summary>Size of the innermost dimension.</summary>
    public int InnerSize { get; }
    /// <summary>Input stride of the innermost dimension.</summary>
    public int InnerXStride { get; }
    /// <summary>Output stride of the innermost dimension (0 when it is reduced).</summary>
    public int InnerYStride { get; }
    /// <summary>True when the innermost dimension is reduced.</summary>
    public bool InnerReduced { get; }
    /// <summary>Number of combinations of <see cref="KeptSizes"/>.</summary>
    public int KeptCount { get; }
    /// <summary>Number of combinations of <see cref="ReducedSizes"/>: the rows folded into each output.</summary>
    public int RowCount { get; }

    /// <summary>Elements folded into each output element.</summary>
    public long ReducedCount => (long)RowCount * (InnerReduced ? InnerSize : 1);

    /// <summary>Plans the reduction of <paramref name="x"/> over <paramref name="axes"/> into <paramref name="y"/> (x's shape with those axes set to 1).</summary>
    public static ReductionPlan Create(Tensor x, ReadOnlySpan<int> axes, Tensor y)
    {
        int rank = x.Rank;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a] = true;
        var dims = new List<(int Size, int X, int Y, bool Reduced)>(rank);
        for (int d = 0; d < rank; d++)
            if (x.Shape[d] != 1) dims.Add((x.Shape[d], x.Strides[d], reduced[d] ? 0 : y.Strides[d], reduced[d]));

        // Stable insertion sort by decreasing |input stride|.
        for (int i = 1; i < dims.Count; i++)
        {
            var cur = dims[i];
            int j = i - 1;
            while (j >= 0 && Math.Abs((long)dims[j].X) < Math.Abs((long)cur.X)) { dims[j + 1] = dims[j]; j--; }
            dims[j + 1] = cur;
        }

        var merged = new List<(int Size, int X, int Y, bool Reduced)>(dims.Count);
        foreach (var d in dims)
        {
            if (merged.Count > 0)
            {
                var p = merged[^1];
                if (p.Reduced == d.Reduced && (long)p.X == (long)d.X * d.Size && (long)p.Y == (long)d.Y * d.Size)
                {
                    merged[^1] = (p.Size * d.Size, d.X, d.Y, d.Reduced);
                    continue;
                }
            }
            merged.Add(d);
        }
        if (merged.Count == 0) merged.Add((1, 1, 0, true));

        var inner = merged[^1];
        var kept = merged.Take(merged.Count - 1).Where(d => !d.Reduced).ToArray();
        var red = merged.Take(merged.Count - 1).Where(d => d.Reduced).ToArray();
        return new ReductionPlan(
            kept.Select(d => d.Size).ToArray(), kept.Select(d => d.X).ToArray(), kept.Select(d => d.Y).ToArray(),
            red.Select(d => d.Size).ToArray(), red.Select(d => d.X).ToArray(),
            inner.Size, inner.X, inner.Y, inner.Reduced);
    }

    /// <summary>Input offset of reduced row <paramref name="row"/> relative to its output's base.</summary>
    public int RowOffset(int row) => Offset(row, ReducedSizes, ReducedXStrides);

    /// <summary>Input offset of kept combination <paramref name="index"/>.</summary>
    public int KeptXOffset(int index) => Offset(index, KeptSizes, KeptXStrides);

    /// <summary>Output offset of kept combination <paramref name="index"/>.</summary>
    public int KeptYOffset(int index) => Offset(index, KeptSizes, KeptYStrides);

    // Offset of row-major linear index i over sizes.
    private static int Offset(int i, int[] sizes, int[] strides)
    {
        if (sizes.Length == 1) return i * strides[0];
        int off = 0;
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            int s = sizes[d];
            off += i % s * strides[d];
            i /= s;
        }
        return off;
    }

    private static int Product(int[] sizes)
    {
        int p = 1;
        foreach (int s in sizes) p *= s;
        return p;
    }
}
