using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

/// <remarks>
/// Every index tensor is checked on the device by a small kernel queued before the op (see
/// <see cref="CheckIndices"/> and <see cref="CheckIndicesEagerly"/>), so no kernel ever reads or writes outside
/// its buffers and the error names the same position, in the same words, as the CPU backend.
/// </remarks>
public sealed partial class GpuBackend
{
    private Action<KernelConfig, StridedLayout, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>? _gather, _indexSelect;
    private Action<KernelConfig, StridedLayout, StridedLayout, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>? _scatterAdd, _indexAdd;
    private Action<KernelConfig, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>? _oneHot;
    private Action<KernelConfig, PadGeometry, ArrayView<float>, ArrayView<float>>? _pad;
    private Action<KernelConfig, PadGeometry, StridedLayout, ArrayView<float>, ArrayView<float>>? _padBackward;

    /// <inheritdoc/>
    public void Gather(Tensor x, int axis, Tensor index, Tensor y)
    {
        var xBase = AxisFreeLayout(index.Shape.ToArray(), x.Strides.ToArray(), axis, x.Offset, "Gather");
        var g = new IndexGeometry
        {
            Count = index.Numel, AxisSize = x.Shape[axis], AxisStride = x.Strides[axis],
            IndexOffset = index.Offset, OutOffset = y.Offset,
        };
        _gather ??= _accelerator.LoadStreamKernel<StridedLayout, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>(IndexingKernels.Gather);
        var errors = CheckIndices(index, x.Shape[axis], "Gather", axis, "input", x.Shape);
        _gather(Linear(g.Count), xBase, g, Whole(x), Whole(index), Whole(y), errors);
        AfterIndexKernel();
    }

    /// <inheritdoc/>
    public void ScatterAdd(Tensor target, int axis, Tensor index, Tensor source)
    {
        var sizes = index.Shape.ToArray();
        var targetBase = AxisFreeLayout(sizes, target.Strides.ToArray(), axis, target.Offset, "ScatterAdd");
        var src = StridedLayout.Of(source);
        var g = new IndexGeometry
        {
            Count = index.Numel, AxisSize = target.Shape[axis], AxisStride = target.Strides[axis], IndexOffset = index.Offset,
        };
        _scatterAdd ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>(IndexingKernels.ScatterAdd);
        var errors = CheckIndices(index, target.Shape[axis], "ScatterAdd", axis, "target", target.Shape);
        _scatterAdd(Linear(g.Count), targetBase, src, g, Whole(target), Whole(index), Whole(source), errors);
        AfterIndexKernel();
    }

    /// <inheritdoc/>
    public void IndexSelect(Tensor x, int axis, Tensor index, Tensor y)
    {
        var sizes = y.Shape.ToArray();
        var xBase = AxisFreeLayout(sizes, x.Strides.ToArray(), axis, x.Offset, "IndexSelect");
        var g = new IndexGeometry
        {
            Count = y.Numel, AxisSize = x.Shape[axis], AxisStride = x.Strides[axis],
            IndexLength = index.Numel, Inner = Inner(sizes, axis), IndexOffset = index.Offset, OutOffset = y.Offset,
        };
        _indexSelect ??= _accelerator.LoadStreamKernel<StridedLayout, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>(IndexingKernels.IndexSelect);
        var errors = CheckIndices(index, x.Shape[axis], "IndexSelect", axis, "input", x.Shape);
        _indexSelect(Linear(g.Count), xBase, g, Whole(x), Whole(index), Whole(y), errors);
        AfterIndexKernel();
    }

    /// <inheritdoc/>
    public void IndexAdd(Tensor target, int axis, Tensor index, Tensor source)
    {
        var sizes = source.Shape.ToArray();
        var targetBase = AxisFreeLayout(sizes, target.Strides.ToArray(), axis, target.Offset, "IndexAdd");
        var g = new IndexGeometry
        {
            Count = source.Numel, AxisSize = target.Shape[axis], AxisStride = target.Strides[axis],
            IndexLength = index.Numel, Inner = Inner(sizes, axis), IndexOffset = index.Offset,
        };
        _indexAdd ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>(IndexingKernels.IndexAdd);
        var errors = CheckIndices(index, target.Shape[axis], "IndexAdd", axis, "target", target.Shape);
        _indexAdd(Linear(g.Count), targetBase, StridedLayout.Of(source), g, Whole(target), Whole(index), Whole(source), errors);
        AfterIndexKernel();
    }

    /// <inheritdoc/>
    public void OneHot(Tensor index, int classes, Tensor y)
    {
        var g = new IndexGeometry { Count = y.Numel, AxisSize = classes, IndexOffset = index.Offset, OutOffset = y.Offset };
        _oneHot ??= _accelerator.LoadStreamKernel<IndexGeometry, ArrayView<float>, ArrayView<float>, ArrayView<ulong>>(IndexingKernels.OneHot);
        var errors = CheckIndices(index, classes, "OneHot", -1, "index", index.Shape);
        _oneHot(Linear(g.Count), g, Whole(index), Whole(y), errors);
        AfterIndexKernel();
    }

    /// <inheritdoc/>
    public void Pad(Tensor x, ReadOnlySpan<int> pads, PadMode mode, float value, Tensor y)
    {
        CheckPads("Pad", x.Shape, y.Shape, pads, mode);
        if (y.Numel == 0) return;
        var g = PadGeometryOf(x.Shape, x.Strides.ToArray(), x.Offset, y.Shape, pads, "Pad");
        g.Mode = (int)mode;
        g.Value = value;
        g.YOffset = y.Offset;
        _pad ??= _accelerator.LoadStreamKernel<PadGeometry, ArrayView<float>, ArrayView<float>>(PadKernels.Pad);
        _pad(Linear(g.Count), g, Whole(x), Whole(y));
    }

    /// <inheritdoc/>
    public void PadBackward(Tensor gradY, ReadOnlySpan<int> pads, PadMode mode, Tensor gradX)
    {
        CheckPads("PadBackward", gradX.Shape, gradY.Shape, pads, mode);
        if (gradX.Numel == 0) return;
        Elements(gradX).SubView(0, gradX.Numel).MemSetToZero(Stream);
        if (gradY.Numel == 0) return;
        var g = PadGeometryOf(gradX.Shape, gradX.Shape.ContiguousStrides(), gradX.Offset, gradY.Shape, pads, "PadBackward");
        g.Mode = (int)mode;
        g.YOffset = gradY.Offset;
        _padBackward ??= _accelerator.LoadStreamKernel<PadGeometry, StridedLayout, ArrayView<float>, ArrayView<float>>(PadKernels.PadBackward);
        _padBackward(Linear(g.Count), g, StridedLayout.Of(gradY), Whole(gradY), Whole(gradX));
    }

    /// <summary>
    /// A layout over <paramref name="sizes"/> that uses <paramref name="strides"/> for every axis except
    /// <paramref name="axis"/>, which contributes nothing: the kernel adds <c>index * stride</c> for it.
    /// </summary>
    private static StridedLayout AxisFreeLayout(int[] sizes, int[] strides, int axis, int offset, string op)
    {
        var s = (int[])strides.Clone();
        s[axis] = 0;
        return StridedLayout.Of(sizes, s, offset, op);
    }

    private static int Inner(int[] sizes, int axis)
    {
        int inner = 1;
        for (int d = axis + 1; d < sizes.Length; d++) inner *= sizes[d];
        return inner;
    }

    /// <summary>
    /// Rejects pads that do not match the shapes or would read outside the input: the front end checks these, but
    /// a kernel reached directly must still never index out of bounds.
    /// </summary>
    private static void CheckPads(string op, Shape input, Shape padded, ReadOnlySpan<int> pads, PadMode mode)
    {
        if (pads.Length != 2 * input.Rank || padded.Rank != input.Rank)
            throw new ArgumentException($"{op}: expected {2 * input.Rank} pad values for input shape {input} and padded shape {padded}, got {pads.Length}.");
        for (int d = 0; d < input.Rank; d++)
        {
            int before = pads[2 * d], after = pads[2 * d + 1], size = input[d];
            if (before < 0 || after < 0 || padded[d] != size + before + after)
                throw new ArgumentException($"{op}: padding ({before}, {after}) of axis {d} does not turn input shape {input} into {padded}.");
            if (mode == PadMode.Reflect && (before >= size || after >= size))
                throw new ArgumentException($"{op}: reflect padding ({before}, {after}) must be smaller than axis {d} of size {size} (shape {input}).");
            if (mode == PadMode.Replicate && size == 0 && before + after > 0)
                throw new ArgumentException($"{op}: cannot replicate-pad axis {d} of size 0 (shape {input}).");
        }
    }

    private static PadGeometry PadGeometryOf(Shape x, int[] xStrides, int xOffset, Shape y, ReadOnlySpan<int> pads, string op)
    {
        int rank = x.Rank;
        if (rank > PadGeometry.MaxRank)
            throw new NotSupportedException($"{op}: the GPU kernel pads tensors of at most {PadGeometry.MaxRank} dimensions, got shape {x}.");
        var g = new PadGeometry { Rank = Math.Max(rank, 1), Count = y.Numel, XOffset = xOffset };
        if (rank == 0) g.Set(0, 1, 1, 0, 0);
        for (int d = 0; d < rank; d++)
        {
            // Innermost first.
            int axis = rank - 1 - d;
            g.Set(d, y[axis], x[axis], xStrides[axis], pads[2 * axis]);
        }
        return g;
    }
}
