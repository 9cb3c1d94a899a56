using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

public sealed partial class GpuBackend
{
    private Action<KernelConfig, StridedLayout, StridedLayout, int, ArrayView<float>, ArrayView<float>>? _copy;
    private Action<KernelConfig, StridedLayout, int, ArrayView<float>, float>? _fill;
    private Action<KernelConfig, StridedLayout, StridedLayout, int, ArrayView<float>, ArrayView<float>, int, float, float>? _unary;
    private Action<KernelConfig, StridedLayout, StridedLayout, StridedLayout, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _binary;
    private Action<KernelConfig, StridedLayout, StridedLayout, StridedLayout, StridedLayout, int,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _where;

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        int n = destination.Numel;
        if (n == 0) return;
        var l = StridedLayout.Joint("Copy", source, destination);
        _copy ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, int, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Copy);
        _copy(Linear(n), l[0], l[1], n, Whole(source), Whole(destination));
    }

    /// <inheritdoc/>
    public void Fill(Tensor destination, float value)
    {
        int n = destination.Numel;
        if (n == 0) return;
        _fill ??= _accelerator.LoadStreamKernel<StridedLayout, int, ArrayView<float>, float>(ElementwiseKernels.Fill);
        _fill(Linear(n), StridedLayout.Of(destination), n, Whole(destination), value);
    }

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y, float a = 0f, float b = 0f)
    {
        int n = y.Numel;
        if (n == 0) return;
        var l = StridedLayout.Joint(op.ToString(), x, y);
        _unary ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, int, ArrayView<float>, ArrayView<float>, int, float, float>(ElementwiseKernels.Unary);
        _unary(Linear(n), l[0], l[1], n, Whole(x), Whole(y), (int)op, a, b);
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        int n = y.Numel;
        if (n == 0) return;
        var l = StridedLayout.Joint(op.ToString(), a, b, y);
        _binary ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, StridedLayout, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.Binary);
        _binary(Linear(n), l[0], l[1], l[2], n, Whole(a), Whole(b), Whole(y), (int)op);
    }

    /// <inheritdoc/>
    public void Where(Tensor condition, Tensor a, Tensor b, Tensor y)
    {
        int n = y.Numel;
        if (n == 0) return;
        var l = StridedLayout.Joint("Where", condition, a, b, y);
        _where ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, StridedLayout, StridedLayout, int,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Where);
        _where(Linear(n), l[0], l[1], l[2], l[3], n, Whole(condition), Whole(a), Whole(b), Whole(y));
    }
}
