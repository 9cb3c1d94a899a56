using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

public sealed partial class GpuBackend
{
    private Action<KernelConfig, StridedLayout, StridedLayout, GemmGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _gemmLarge, _gemmSmall;

    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate = false)
    {
        int rank = c.Rank;
        int m = c.Shape[-2], n = c.Shape[-1], k = a.Shape[-1];
        var batchSizes = c.Shape.Dims[..^2].ToArray();
        int batch = batchSizes.Aggregate(1, (p, s) => p * s);
        var aStrides = a.Strides.ToArray();
        var bStrides = b.Strides.ToArray();
        var aBatch = StridedLayout.Of(batchSizes, aStrides[..^2], a.Offset, "MatMul");
        var bBatch = StridedLayout.Of(batchSizes, bStrides[..^2], b.Offset, "MatMul");
        var g = new GemmGeometry
        {
            M = m, N = n, K = k, Batch = batch,
            ARowStride = aStrides[rank - 2], AColStride = aStrides[rank - 1],
            BRowStride = bStrides[rank - 2], BColStride = bStrides[rank - 1],
            COffset = c.Offset, Ldc = n, CBatchStride = m * n, Accumulate = accumulate ? 1 : 0,
        };
        Gemm(aBatch, bBatch, g, Whole(a), Whole(b), Whole(c));
    }

    /// <summary>Queues one batched product; all addressing is in the layouts and the geometry.</summary>
    internal void Gemm(StridedLayout aBatch, StridedLayout bBatch, GemmGeometry g, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        if (g.M == 0 || g.N == 0 || g.Batch == 0) return;
        int tile = UsesLargeTiles ? 64 : 8;
        int threads = UsesLargeTiles ? 256 : 4;
        var grid = new Index3D((g.N + tile - 1) / tile, (g.M + tile - 1) / tile, Math.Min(g.Batch, 65535));
        Statistics.Launch();
        var config = new KernelConfig(grid, new Index3D(threads, 1, 1));
        if (UsesLargeTiles)
        {
            _gemmLarge ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, GemmGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GemmKernel.Run<GemmTile64>);
            _gemmLarge(config, aBatch, bBatch, g, a, b, c);
        }
        else
        {
            _gemmSmall ??= _accelerator.LoadStreamKernel<StridedLayout, StridedLayout, GemmGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GemmKernel.Run<GemmTile8>);
            _gemmSmall(config, aBatch, bBatch, g, a, b, c);
        }
    }
}
