using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

public sealed partial class GpuBackend
{
    private Action<KernelConfig, int, int, int, ulong, ulong, float, float, ArrayView<float>>? _random;

    /// <inheritdoc/>
    public void FillRandom(Tensor y, RandomDistribution distribution, ulong seed, ulong counter, float a, float b)
    {
        int n = y.Numel;
        if (n == 0) return;
        _random ??= _accelerator.LoadStreamKernel<int, int, int, ulong, ulong, float, float, ArrayView<float>>(RandomKernel.Fill);
        _random(Linear(n), n, y.Offset, (int)distribution, seed, counter, a, b, Whole(y));
    }
}
