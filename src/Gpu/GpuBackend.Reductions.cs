using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

public sealed partial class GpuBackend
{
    private Action<KernelConfig, StridedLayout, StridedLayout, ReduceGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _reduceThreads;
    private Action<KernelConfig, StridedLayout, StridedLayout, ReduceGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _reduceGroups;
    private Action<KernelConfig, ReduceGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _reduceCombine;
    private Action<KernelConfig, StridedLayout, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _argThreads, _argGroups;
    private Action<KernelConfig, StridedLayout, StridedLayout, int, int, int, int, int, ArrayView<float>, ArrayView<float>>? _softmaxThreads, _softmaxGroups;

    /// <summary>Below this many elements per output, one thread per output is always used.</summary>
    private const int GroupRowThreshold = 32;

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, ReadOnlySpan<int> axes, Tensor y, float correction = 0f)
    {
        var isReduced = new bool[x.Rank];
        foreach (int a in axes) isReduced[a] = true;
        var (keptSizes, keptStrides, redSizes, redStrides) = (new List<int>(), new List<int>(), new List<int>(), new List<int>());
        for (int d = 0; d < x.Rank; d++)
        {
            (isReduced[d] ? redSizes : keptSizes).Add(x.Shape[d]);
            (isReduced[d] ? redStrides : keptStrides).Add(x.Strides[d]);
        }
        var kept = StridedLayout.Of(keptSizes.ToArray(), keptStrides.ToArray(), x.Offset, op.ToString());
        var reduced = StridedLayout.Of(redSizes.ToArray(), redStrides.ToArray(), 0, op.ToString());
        int inner = redSizes.Aggregate(1, (p, s) => p * s);
        RunReduce(op, x, kept, reduced, y.Numel, inner, y, mean: null, correction);
    }

    /// <inheritdoc/>
    public void BatchNormStatistics(Tensor x, Tensor mean, Tensor variance)
    {
        int n = x.Shape[0], c = x.Shape[1], spatial = c == 0 ? 0 : x.Numel / (n * c);
        if (c == 0) return;
        var kept = StridedLayout.Of(new[] { c }, new[] { spatial }, x.Offset, "BatchNormStatistics");
        var reduced = StridedLayout.Of(new[] { n, spatial }, new[] { c * spatial, 1 }, 0, "BatchNormStatistics");
        RunReduce(ReduceOp.Variance, x, kept, reduced, c, n * spatial, variance, mean, 0f);
    }

    private void RunReduce(ReduceOp op, Tensor x, StridedLayout kept, StridedLayout reduced, int outer, int inner,
        Tensor y, Tensor? mean, float correction)
    {
        if (outer == 0) return;
        var g = new ReduceGeometry
        {
            Outer = outer, Inner = inner, Op = (int)op, Chunks = 1, ChunkLength = Math.Max(inner, 1),
            WriteMean = mean is null ? 0 : 1, Correction = correction,
        };
        var yv = Elements(y);
        var meanView = mean is null ? yv : Elements(mean);
        bool reducedDense = reduced.Stride0 == 1;
        bool perGroup = inner >= GroupRowThreshold && (reducedDense || outer < ResidentGroups * GroupSize);
        if (!perGroup)
        {
            _reduceThreads ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, ReduceGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReductionKernels.ReduceThreads);
            _reduceThreads(Linear(outer), kept, reduced, g, Whole(x), yv, meanView);
            return;
        }

        // Few long rows cannot fill the device with one group each: split every row into pieces, reduce the pieces
        // in parallel, then fold them together.
        int wantGroups = 2 * ResidentGroups;
        if (outer < wantGroups && inner >= GroupSize * 64)
        {
            int chunks = Math.Min((wantGroups + outer - 1) / outer, inner / (GroupSize * 16));
            g.ChunkLength = (inner + chunks - 1) / chunks;
            g.Chunks = (inner + g.ChunkLength - 1) / g.ChunkLength;
        }
        _reduceGroups ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, ReduceGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReductionKernels.ReduceGroups);
        if (g.Chunks == 1)
        {
            _reduceGroups(PerGroup(outer), kept, reduced, g, Whole(x), yv, meanView, yv);
            return;
        }
        using var partials = Tensor.Empty(new Shape(outer * g.Chunks * 2), Device);
        _reduceGroups(PerGroup((long)outer * g.Chunks), kept, reduced, g, Whole(x), yv, meanView, Elements(partials));
        _reduceCombine ??= _accelerator.LoadStreamKernel<ReduceGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReductionKernels.ReduceCombine);
        _reduceCombine(Linear(outer), g, Elements(partials), yv, meanView);
    }

    /// <inheritdoc/>
    public void ArgReduce(bool max, Tensor x, int axis, Tensor values, Tensor indices)
    {
        var (kept, n, stride) = KeptLayout(x, axis, x.Offset, x.Strides.ToArray(), "ArgReduce");
        int outer = values.Numel;
        if (outer == 0) return;
        bool perGroup = n >= GroupRowThreshold && (stride == 1 || outer < ResidentGroups * GroupSize);
        if (perGroup)
        {
            _argGroups ??= _accelerator.LoadStreamKernel<StridedLayout, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReductionKernels.ArgReduceGroups);
            _argGroups(PerGroup(outer), kept, n, stride, outer, max ? 1 : 0, Whole(x), Elements(values), Elements(indices));
        }
        else
        {
            _argThreads ??= _accelerator.LoadStreamKernel<StridedLayout, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReductionKernels.ArgReduceThreads);
            _argThreads(Linear(outer), kept, n, stride, outer, max ? 1 : 0, Whole(x), Elements(values), Elements(indices));
        }
    }

    /// <inheritdoc/>
    public void Softmax(Tensor x, int axis, Tensor y, bool log)
    {
        int n = x.Shape[axis];
        int outer = n == 0 ? 0 : x.Numel / n;
        if (outer == 0) return;
        var keptSizes = new List<int>();
        var xKept = new List<int>();
        var yKept = new List<int>();
        var yStrides = y.Strides.ToArray();
        for (int d = 0; d < x.Rank; d++)
        {
            if (d == axis) continue;
            keptSizes.Add(x.Shape[d]);
            xKept.Add(x.Strides[d]);
            yKept.Add(yStrides[d]);
        }
        var l = StridedLayout.Joint(keptSizes.ToArray(), "Softmax", (xKept.ToArray(), x.Offset), (yKept.ToArray(), y.Offset));
        int xStride = x.Strides[axis], yStride = yStrides[axis];
        bool perGroup = n >= GroupRowThreshold && (xStride == 1 || outer < ResidentGroups * GroupSize);
        if (perGroup)
        {
            _softmaxGroups ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, int, int, int, int, int, ArrayView<float>, ArrayView<float>>(ReductionKernels.SoftmaxGroups);
            _softmaxGroups(PerGroup(outer), l[0], l[1], n, xStride, yStride, outer, log ? 1 : 0, Whole(x), Whole(y));
        }
        else
        {
            _softmaxThreads ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, int, int, int, int, int, ArrayView<float>, ArrayView<float>>(ReductionKernels.SoftmaxThreads);
            _softmaxThreads(Linear(outer), l[0], l[1], n, xStride, yStride, outer, log ? 1 : 0, Whole(x), Whole(y));
        }
    }

    /// <summary>The layout of every dimension but <paramref name="axis"/>, with that axis's size and stride.</summary>
    private static (StridedLayout Kept, int Size, int Stride) KeptLayout(Tensor x, int axis, int offset, int[] strides, string op)
    {
        var sizes = new List<int>();
        var kept = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (d == axis) continue;
            sizes.Add(x.Shape[d]);
            kept.Add(strides[d]);
        }
        return (StridedLayout.Of(sizes.ToArray(), kept.ToArray(), offset, op), x.Shape[axis], strides[axis]);
    }
}
