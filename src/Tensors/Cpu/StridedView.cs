namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// A CPU tensor reduced to what a loop needs: the array, the first offset, sizes and strides with adjacent
/// dimensions merged where memory allows (so a contiguous tensor of any rank becomes one dimension).
/// </summary>
internal readonly struct StridedView
{
    public readonly float[] Data;
    public readonly int Offset;
    public readonly int[] Sizes;
    public readonly int[] Strides;

    public StridedView(float[] data, int offset, int[] sizes, int[] strides)
    {
        Data = data;
        Offset = offset;
        Sizes = sizes;
        Strides = strides;
    }

    public static StridedView Of(Tensor t) =>
        new(((CpuStorage)t.Storage).Data, t.Offset, t.Shape.ToArray(), t.StridesArray);

    public static float[] DataOf(Tensor t) => ((CpuStorage)t.Storage).Data;

    /// <summary>
    /// Merges dimensions that are contiguous in every one of the views described by <paramref name="strides"/> (all of the same sizes) and drops
    /// size-1 dimensions, returning the shared sizes and each view's strides.
    /// </summary>
    public static (int[] Sizes, int[][] Strides) Coalesce(int[] sizes, params int[][] strides)
    {
        var outSizes = new List<int>();
        var outStrides = strides.Select(_ => new List<int>()).ToArray();
        for (int d = 0; d < sizes.Length; d++)
        {
            if (sizes[d] == 1) continue;
            if (outSizes.Count > 0)
            {
                bool merge = true;
                for (int v = 0; v < strides.Length; v++)
                    if (outStrides[v][^1] != strides[v][d] * sizes[d]) { merge = false; break; }
                if (merge)
                {
                    outSizes[^1] *= sizes[d];
                    for (int v = 0; v < strides.Length; v++) outStrides[v][^1] = strides[v][d];
                    continue;
                }
            }
            outSizes.Add(sizes[d]);
            for (int v = 0; v < strides.Length; v++) outStrides[v].Add(strides[v][d]);
        }
        if (outSizes.Count == 0)
        {
            outSizes.Add(1);
            foreach (var s in outStrides) s.Add(1);
        }
        return (outSizes.ToArray(), outStrides.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>
    /// Number of innermost rows: the product of every size but the last. Rows are numbered 0..rows-1 so callers
    /// can split them across threads and find each row's start with <see cref="RowOffset"/>.
    /// </summary>
    public static int RowCount(int[] sizes)
    {
        int rows = 1;
        for (int d = 0; d < sizes.Length - 1; d++) rows *= sizes[d];
        return rows;
    }

    /// <summary>Offset of the start of outer row <paramref name="row"/> for one view.</summary>
    public static int RowOffset(int row, int[] sizes, int[] strides, int baseOffset)
    {
        int off = baseOffset;
        for (int d = sizes.Length - 2; d >= 0; d--)
        {
            int i = row % sizes[d];
            row /= sizes[d];
            off += i * strides[d];
        }
        return off;
    }
}
