using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>Scalars of one indexing launch.</summary>
internal struct IndexGeometry
{
    /// <summary>Elements the launch walks (index elements, or output elements for index-select).</summary>
    public int Count;
    /// <summary>Size and element step of the indexed axis in the tensor that is read or written through the index.</summary>
    public int AxisSize, AxisStride;
    /// <summary>For index-select and index-add: the length of the index and the product of the dims after the axis.</summary>
    public int IndexLength, Inner;
    /// <summary>Offsets of the index and of a contiguous output.</summary>
    public int IndexOffset, OutOffset;
}

/// <summary>
/// Gather, scatter-add, index-select, index-add and one-hot. The tensor addressed through the index is described by a
/// layout over the walked shape with the indexed axis's stride set to 0; the kernel adds <c>index * AxisStride</c>.
/// Indices were checked by <see cref="IndexValidation"/> just before; when that failed these kernels do nothing.
/// Scatters use atomic adds because several positions may name the same target; their summation order, and so
/// the last bits of a sum with repeated indices, may vary from run to run.
/// </summary>
internal static class IndexingKernels
{
    /// <summary><c>y[i] = x[base(i) + index[i] * stride]</c> over the index's elements.</summary>
    public static void Gather(StridedLayout xBase, IndexGeometry g, ArrayView<float> x, ArrayView<float> index,
        ArrayView<float> y, ArrayView<ulong> errors)
    {
        if (IndexValidation.Failed(errors)) return;
        for (int i = GridStride.Start; i < g.Count; i += GridStride.Step)
        {
            int k = (int)index[g.IndexOffset + i];
            y[g.OutOffset + i] = x[xBase.ElementOffset(i) + k * g.AxisStride];
        }
    }

    /// <summary><c>target[base(i) + index[i] * stride] += source[i]</c>.</summary>
    public static void ScatterAdd(StridedLayout targetBase, StridedLayout source, IndexGeometry g, ArrayView<float> target,
        ArrayView<float> index, ArrayView<float> src, ArrayView<ulong> errors)
    {
        if (IndexValidation.Failed(errors)) return;
        for (int i = GridStride.Start; i < g.Count; i += GridStride.Step)
        {
            int k = (int)index[g.IndexOffset + i];
            Atomic.Add(ref target[targetBase.ElementOffset(i) + k * g.AxisStride], src[source.ElementOffset(i)]);
        }
    }

    /// <summary><c>y[..., j, ...] = x[..., index[j], ...]</c>, one thread per output element.</summary>
    public static void IndexSelect(StridedLayout xBase, IndexGeometry g, ArrayView<float> x, ArrayView<float> index,
        ArrayView<float> y, ArrayView<ulong> errors)
    {
        if (IndexValidation.Failed(errors)) return;
        for (int i = GridStride.Start; i < g.Count; i += GridStride.Step)
        {
            int k = (int)index[g.IndexOffset + i / g.Inner % g.IndexLength];
            y[g.OutOffset + i] = x[xBase.ElementOffset(i) + k * g.AxisStride];
        }
    }

    /// <summary><c>target[..., index[j], ...] += source[..., j, ...]</c>, one thread per source element.</summary>
    public static void IndexAdd(StridedLayout targetBase, StridedLayout source, IndexGeometry g, ArrayView<float> target,
        ArrayView<float> index, ArrayView<float> src, ArrayView<ulong> errors)
    {
        if (IndexValidation.Failed(errors)) return;
        for (int i = GridStride.Start; i < g.Count; i += GridStride.Step)
        {
            int k = (int)index[g.IndexOffset + i / g.Inner % g.IndexLength];
            Atomic.Add(ref target[targetBase.ElementOffset(i) + k * g.AxisStride], src[source.ElementOffset(i)]);
        }
    }

    /// <summary><c>y[i, c] = index[i] == c</c>; AxisSize is the number of classes.</summary>
    public static void OneHot(IndexGeometry g, ArrayView<float> index, ArrayView<float> y, ArrayView<ulong> errors)
    {
        if (IndexValidation.Failed(errors)) return;
        int classes = g.AxisSize;
        for (int o = GridStride.Start; o < g.Count; o += GridStride.Step)
        {
            int i = o / classes, c = o - i * classes;
            y[g.OutOffset + o] = index[g.IndexOffset + i] == c ? 1f : 0f;
        }
    }
}
