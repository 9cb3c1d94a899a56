using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// How a kernel finds element <c>i</c> (row-major) of a strided view: up to eight dimensions of sizes and strides,
/// passed by value as a kernel parameter so that no metadata has to be uploaded per op. Dimensions are stored
/// innermost first (<c>Size0</c> is the last axis). Host code merges mergeable dimensions first, so most views
/// reach the kernel with rank 1 or 2 and a contiguous tensor costs one multiply-add per element.
/// </summary>
internal struct StridedLayout
{
    /// <summary>The most dimensions a layout holds after merging.</summary>
    public const int MaxRank = 8;

    public int Rank;
    public int Offset;
    public int Size0, Size1, Size2, Size3, Size4, Size5, Size6, Size7;
    public int Stride0, Stride1, Stride2, Stride3, Stride4, Stride5, Stride6, Stride7;

    /// <summary>Storage offset of row-major element <paramref name="index"/>.</summary>
    public readonly int ElementOffset(int index)
    {
        // The outermost dimension needs no modulo: whatever is left of the index is its coordinate.
        if (Rank == 1) return Offset + index * Stride0;
        int off = Offset, q;
        q = index / Size0; off += (index - q * Size0) * Stride0; index = q;
        if (Rank == 2) return off + index * Stride1;
        q = index / Size1; off += (index - q * Size1) * Stride1; index = q;
        if (Rank == 3) return off + index * Stride2;
        q = index / Size2; off += (index - q * Size2) * Stride2; index = q;
        if (Rank == 4) return off + index * Stride3;
        q = index / Size3; off += (index - q * Size3) * Stride3; index = q;
        if (Rank == 5) return off + index * Stride4;
        q = index / Size4; off += (index - q * Size4) * Stride4; index = q;
        if (Rank == 6) return off + index * Stride5;
        q = index / Size5; off += (index - q * Size5) * Stride5; index = q;
        if (Rank == 7) return off + index * Stride6;
        q = index / Size6; off += (index - q * Size6) * Stride6; index = q;
        return off + index * Stride7;
    }

    /// <summary>True when element <c>i</c> sits at <c>Offset + i</c>.</summary>
    public readonly bool IsDense => Rank == 1 && Stride0 == 1;

    /// <summary>A layout of one view on its own, dimensions merged.</summary>
    public static StridedLayout Of(Tensor t) => Of(t.Shape.ToArray(), t.Strides.ToArray(), t.Offset, "kernel");

    /// <summary>A layout of a contiguous block of <paramref name="count"/> elements starting at <paramref name="offset"/>.</summary>
    public static StridedLayout Dense(int count, int offset = 0)
    {
        var layout = new StridedLayout { Rank = 1, Offset = offset };
        layout.Set(0, count, 1);
        return layout;
    }

    /// <summary>A layout over explicit sizes and strides (outermost first, as a tensor lists them).</summary>
    public static StridedLayout Of(int[] sizes, int[] strides, int offset, string op)
    {
        var (s, st) = Coalesce(sizes, strides);
        return Build(s, st[0], offset, op, sizes);
    }

    /// <summary>
    /// Layouts for several views of the same sizes, merged jointly so that one row-major index means the same
    /// element in each. <paramref name="views"/> holds each view's strides and offset.
    /// </summary>
    public static StridedLayout[] Joint(int[] sizes, string op, params (int[] Strides, int Offset)[] views)
    {
        var (s, st) = Coalesce(sizes, views.Select(v => v.Strides).ToArray());
        var result = new StridedLayout[views.Length];
        for (int v = 0; v < views.Length; v++) result[v] = Build(s, st[v], views[v].Offset, op, sizes);
        return result;
    }

    /// <summary>Joint layouts of tensors that all have the same shape.</summary>
    public static StridedLayout[] Joint(string op, params Tensor[] tensors) =>
        Joint(tensors[0].Shape.ToArray(), op, tensors.Select(t => (t.Strides.ToArray(), t.Offset)).ToArray());

    private static StridedLayout Build(int[] sizes, int[] strides, int offset, string op, int[] original)
    {
        if (sizes.Length > MaxRank)
            throw new NotSupportedException(
                $"{op}: the GPU kernels handle views of at most {MaxRank} non-mergeable dimensions; shape [{string.Join(", ", original)}] has {sizes.Length}. Call Contiguous() first.");
        var layout = new StridedLayout { Rank = sizes.Length, Offset = offset };
        for (int d = 0; d < sizes.Length; d++)
        {
            // Innermost first.
            int src = sizes.Length - 1 - d;
            layout.Set(d, sizes[src], strides[src]);
        }
        return layout;
    }

    private void Set(int d, int size, int stride)
    {
        switch (d)
        {
            case 0: Size0 = size; Stride0 = stride; break;
            case 1: Size1 = size; Stride1 = stride; break;
            case 2: Size2 = size; Stride2 = stride; break;
            case 3: Size3 = size; Stride3 = stride; break;
            case 4: Size4 = size; Stride4 = stride; break;
            case 5: Size5 = size; Stride5 = stride; break;
            case 6: Size6 = size; Stride6 = stride; break;
            default: Size7 = size; Stride7 = stride; break;
        }
    }

    /// <summary>
    /// Drops size-1 dimensions and merges neighbours that are contiguous in every view. Returns the shared sizes
    /// and each view's strides (outermost first); a view with no dimensions left becomes one dimension of size 1.
    /// </summary>
    internal static (int[] Sizes, int[][] Strides) Coalesce(int[] sizes, params int[][] strides)
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
}
