using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

public sealed partial class GpuBackend
{
    private Action<KernelConfig, PoolGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _maxPool;
    private Action<KernelConfig, PoolGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _maxPoolBackward;
    private Action<KernelConfig, PoolGeometry, ArrayView<float>, ArrayView<float>>? _avgPool, _avgPoolBackward;

    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, Pool2dParams p, Tensor y, Tensor indices)
    {
        var g = Geometry(x.Shape, y.Shape, p);
        g.XOffset = x.Offset;
        g.YOffset = y.Offset;
        g.IndexOffset = indices.Offset;
        _maxPool ??= _accelerator.LoadStreamKernel<PoolGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(PoolingKernels.MaxPool);
        _maxPool(Linear(y.Numel), g, Whole(x), Whole(y), Whole(indices));
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor gradY, Tensor indices, Tensor gradX)
    {
        var g = new PoolGeometry
        {
            Planes = gradX.Shape[0] * gradX.Shape[1], H = gradX.Shape[2], W = gradX.Shape[3],
            OH = gradY.Shape[2], OW = gradY.Shape[3],
            XOffset = gradX.Offset, YOffset = gradY.Offset, IndexOffset = indices.Offset,
        };
        Elements(gradX).SubView(0, gradX.Numel).MemSetToZero(Stream);
        if (gradY.Numel == 0) return;
        _maxPoolBackward ??= _accelerator.LoadStreamKernel<PoolGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(PoolingKernels.MaxPoolBackward);
        _maxPoolBackward(Linear(gradY.Numel), g, Whole(gradY), Whole(indices), Whole(gradX));
    }

    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, Pool2dParams p, Tensor y)
    {
        var g = Geometry(x.Shape, y.Shape, p);
        g.XOffset = x.Offset;
        g.YOffset = y.Offset;
        _avgPool ??= _accelerator.LoadStreamKernel<PoolGeometry, ArrayView<float>, ArrayView<float>>(PoolingKernels.AvgPool);
        _avgPool(Linear(y.Numel), g, Whole(x), Whole(y));
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor gradY, Pool2dParams p, Tensor gradX)
    {
        var g = Geometry(gradX.Shape, gradY.Shape, p);
        g.XOffset = gradX.Offset;
        g.YOffset = gradY.Offset;
        _avgPoolBackward ??= _accelerator.LoadStreamKernel<PoolGeometry, ArrayView<float>, ArrayView<float>>(PoolingKernels.AvgPoolBackward);
        _avgPoolBackward(Linear(gradX.Numel), g, Whole(gradY), Whole(gradX));
    }

    private static PoolGeometry Geometry(Shape x, Shape y, Pool2dParams p) => new()
    {
        Planes = x[0] * x[1], H = x[2], W = x[3], OH = y[2], OW = y[3], KH = p.KernelH, KW = p.KernelW,
        StrideH = p.StrideH, StrideW = p.StrideW, PadH = p.PadH, PadW = p.PadW,
        DilationH = p.DilationH, DilationW = p.DilationW, CountIncludePad = p.CountIncludePad ? 1 : 0,
    };
}
