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
        Span<bool> isReduced = stackalloc bool[rank];
        foreach (int a in axes) isReduced[a] = true;
        // One spare slot for the single dimension a scalar (or all-ones shape) becomes.
        int slots = Math.Max(rank, 1);
        Span<int> size = stackalloc int[slots], xs = stackalloc int[slots], ys = stackalloc int[slots];
        Span<bool> red = stackalloc bool[slots];
        int count = 0;
        for (int d = 0; d < rank; d++)
        {
            if (x.Shape[d] == 1) continue;
            // Stable insertion by decreasing |input stride|.
            int stride = x.Strides[d], j = count;
            while (j > 0 && Math.Abs((long)xs[j - 1]) < Math.Abs((long)stride))
            {
                size[j] = size[j - 1]; xs[j] = xs[j - 1]; ys[j] = ys[j - 1]; red[j] = red[j - 1];
                j--;
            }
            size[j] = x.Shape[d]; xs[j] = stride; ys[j] = isReduced[d] ? 0 : y.Strides[d]; red[j] = isReduced[d];
            count++;
        }

        // Merge neighbours of the same kind that are contiguous in both input and output.
        int merged = 0;
        for (int i = 0; i < count; i++)
        {
            if (merged > 0 && red[merged - 1] == red[i] && (long)xs[merged - 1] == (long)xs[i] * size[i]
                && (long)ys[merged - 1] == (long)ys[i] * size[i])
            {
                size[merged - 1] *= size[i]; xs[merged - 1] = xs[i]; ys[merged - 1] = ys[i];
                continue;
            }
            size[merged] = size[i]; xs[merged] = xs[i]; ys[merged] = ys[i]; red[merged] = red[i];
            merged++;
        }
        if (merged == 0)
        {
            size[0] = 1; xs[0] = 1; ys[0] = 0; red[0] = true;
            merged = 1;
        }

        int keptCount = 0;
        for (int i = 0; i < merged - 1; i++) if (!red[i]) keptCount++;
        int reducedCount = merged - 1 - keptCount;
        int[] keptSizes = new int[keptCount], keptX = new int[keptCount], keptY = new int[keptCount];
        int[] reducedSizes = new int[reducedCount], reducedX = new int[reducedCount];
        for (int i = 0, k = 0, r = 0; i < merged - 1; i++)
        {
            if (red[i]) { reducedSizes[r] = size[i]; reducedX[r++] = xs[i]; }
            else { keptSizes[k] = size[i]; keptX[k] = xs[i]; keptY[k++] = ys[i]; }
        }
        int last = merged - 1;
        return new ReductionPlan(keptSizes, keptX, keptY, reducedSizes, reducedX, size[last], xs[last], ys[last], red[last]);
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
