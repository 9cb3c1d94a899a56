using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

/// <remarks>
/// Convolution is im2col on the device plus the tiled GEMM, with groups as an extra batch dimension of the GEMM:
/// forward <c>y[n,g] = W[g] @ cols[n,g]</c>, input gradient <c>cols[n,g] = W[g]^T @ gy[n,g]</c> folded back by col2im,
/// weight gradient <c>gW[g] = gy[g] @ cols[g]^T</c> over the whole batch at once (columns laid out as
/// <c>[C*kh*kw, N*OH*OW]</c> and the output gradient permuted to <c>[O, N*OH*OW]</c>, so the sum over images is the
/// GEMM's K loop). Column matrices are staged in pooled buffers, a chunk of images at a time
/// (<see cref="ColumnBudget"/>). A 1x1 kernel with unit stride and no padding skips im2col: the image already is
/// its column matrix.
/// </remarks>
public sealed partial class GpuBackend
{
    private Action<KernelConfig, ConvGeometry, int, ArrayView<float>, ArrayView<float>>? _im2col, _col2im;
    private Action<KernelConfig, int, int, int, int, int, ArrayView<float>, ArrayView<float>>? _addBias;

    /// <inheritdoc/>
    public void Im2Col(Tensor x, int kernelH, int kernelW, Conv2dParams p, Tensor columns)
    {
        var g = Geometry(x.Shape, kernelH, kernelW, p);
        g.XOffset = x.Offset;
        g.ColOffset = columns.Offset;
        g.ColImageStride = g.Rows * g.Positions;
        g.ColRowStride = g.Positions;
        LaunchIm2Col(g, g.N, Whole(x), Whole(columns));
    }

    /// <inheritdoc/>
    public void Col2Im(Tensor columns, int kernelH, int kernelW, Conv2dParams p, Tensor x)
    {
        var g = Geometry(x.Shape, kernelH, kernelW, p);
        g.XOffset = x.Offset;
        g.ColOffset = columns.Offset;
        g.ColImageStride = g.Rows * g.Positions;
        g.ColRowStride = g.Positions;
        LaunchCol2Im(g, g.N, Whole(columns), Whole(x));
    }

    /// <inheritdoc/>
    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y)
    {
        var geo = Geometry(x.Shape, w.Shape[2], w.Shape[3], p);
        int groups = p.Groups, o = w.Shape[0], og = o / groups, rowsG = geo.Rows / groups, positions = geo.Positions;
        var yv = Whole(y);
        foreach (var (n0, count) in ImageChunks(geo))
        {
            ArrayView<float> cols;
            int colsOffset, colsImage;
            Tensor? staged = null;
            if (IsPointwise(geo))
            {
                cols = Whole(x);
                colsOffset = x.Offset + n0 * geo.C * positions;
                colsImage = geo.C * positions;
            }
            else
            {
                staged = Tensor.Empty(new Shape(count, geo.Rows, positions), Device);
                var g = geo;
                g.XOffset = x.Offset + n0 * geo.C * geo.H * geo.W;
                g.ColOffset = staged.Offset;
                g.ColImageStride = geo.Rows * positions;
                g.ColRowStride = positions;
                LaunchIm2Col(g, count, Whole(x), Whole(staged));
                cols = Whole(staged);
                colsOffset = staged.Offset;
                colsImage = geo.Rows * positions;
            }
            // Batch entry z = image * groups + group: A = W[group] (shared by all images), B = cols[image, group].
            var aBatch = StridedLayout.Of(new[] { count, groups }, new[] { 0, og * rowsG }, w.Offset, "Conv2d");
            var bBatch = StridedLayout.Of(new[] { count, groups }, new[] { colsImage, rowsG * positions }, colsOffset, "Conv2d");
            Gemm(aBatch, bBatch, new GemmGeometry
            {
                M = og, N = positions, K = rowsG, Batch = count * groups,
                ARowStride = rowsG, AColStride = 1, BRowStride = positions, BColStride = 1,
                COffset = y.Offset + n0 * o * positions, Ldc = positions, CBatchStride = og * positions,
            }, Whole(w), cols, yv);
            staged?.Dispose();
        }
        if (bias is not null)
        {
            int total = geo.N * o * positions;
            _addBias ??= _accelerator.LoadStreamKernel<int, int, int, int, int, ArrayView<float>, ArrayView<float>>(ConvolutionKernels.AddChannelBias);
            _addBias(Linear(total), total, o, positions, y.Offset, bias.Offset, yv, Whole(bias));
        }
    }

    /// <inheritdoc/>
    public void Conv2dBackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX)
    {
        var geo = Geometry(gradX.Shape, w.Shape[2], w.Shape[3], p);
        int groups = p.Groups, o = w.Shape[0], og = o / groups, rowsG = geo.Rows / groups, positions = geo.Positions;
        foreach (var (n0, count) in ImageChunks(geo))
        {
            bool pointwise = IsPointwise(geo);
            Tensor? staged = pointwise ? null : Tensor.Empty(new Shape(count, geo.Rows, positions), Device);
            var target = staged ?? gradX;
            int targetOffset = staged is null ? gradX.Offset + n0 * geo.C * positions : staged.Offset;
            // A = W[group]^T read in place (rows of W become columns), B = gy[image, group].
            var aBatch = StridedLayout.Of(new[] { count, groups }, new[] { 0, og * rowsG }, w.Offset, "Conv2dBackwardInput");
            var bBatch = StridedLayout.Of(new[] { count, groups }, new[] { o * positions, og * positions },
                gradY.Offset + n0 * o * positions, "Conv2dBackwardInput");
            Gemm(aBatch, bBatch, new GemmGeometry
            {
                M = rowsG, N = positions, K = og, Batch = count * groups,
                ARowStride = 1, AColStride = rowsG, BRowStride = positions, BColStride = 1,
                COffset = targetOffset, Ldc = positions, CBatchStride = rowsG * positions,
            }, Whole(w), Whole(gradY), Whole(target));
            if (staged is not null)
            {
                var g = geo;
                g.XOffset = gradX.Offset + n0 * geo.C * geo.H * geo.W;
                g.ColOffset = staged.Offset;
                g.ColImageStride = geo.Rows * positions;
                g.ColRowStride = positions;
                LaunchCol2Im(g, count, Whole(staged), Whole(gradX));
                staged.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public void Conv2dBackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW)
    {
        var geo = Geometry(x.Shape, gradW.Shape[2], gradW.Shape[3], p);
        int groups = p.Groups, o = gradW.Shape[0], og = o / groups, rowsG = geo.Rows / groups, positions = geo.Positions;
        bool first = true;
        foreach (var (n0, count) in ImageChunks(geo))
        {
            int span = count * positions;
            // Columns of the whole chunk side by side: [C*kh*kw, count*OH*OW].
            using var cols = Tensor.Empty(new Shape(geo.Rows, span), Device);
            var g = geo;
            g.XOffset = x.Offset + n0 * geo.C * geo.H * geo.W;
            g.ColOffset = cols.Offset;
            g.ColImageStride = positions;
            g.ColRowStride = span;
            LaunchIm2Col(g, count, Whole(x), Whole(cols));
            // gy[n0:n0+count] as [O, count, OH*OW]: a permuted copy, so the images line up with the columns.
            using var gy = Tensor.Empty(new Shape(o, count, positions), Device);
            // Views hold a reference to their storage until disposed, so the temporary ones are disposed here.
            using (var chunk = gradY.Narrow(0, n0, count))
            using (var rows = chunk.Reshape(count, o, positions))
            using (var permuted = rows.Permute(1, 0, 2))
                Copy(permuted, gy);
            var aBatch = StridedLayout.Of(new[] { groups }, new[] { og * span }, gy.Offset, "Conv2dBackwardWeight");
            var bBatch = StridedLayout.Of(new[] { groups }, new[] { rowsG * span }, cols.Offset, "Conv2dBackwardWeight");
            Gemm(aBatch, bBatch, new GemmGeometry
            {
                M = og, N = rowsG, K = span, Batch = groups,
                ARowStride = span, AColStride = 1, BRowStride = 1, BColStride = span,
                COffset = gradW.Offset, Ldc = rowsG, CBatchStride = og * rowsG, Accumulate = first ? 0 : 1,
            }, Whole(gy), Whole(cols), Whole(gradW));
            first = false;
        }
    }

    private static ConvGeometry Geometry(Shape x, int kh, int kw, Conv2dParams p) => new()
    {
        N = x[0], C = x[1], H = x[2], W = x[3], KH = kh, KW = kw,
        OH = p.OutputHeight(x[2], kh), OW = p.OutputWidth(x[3], kw),
        StrideH = p.StrideH, StrideW = p.StrideW, PadH = p.PadH, PadW = p.PadW,
        DilationH = p.DilationH, DilationW = p.DilationW,
    };

    private static bool IsPointwise(ConvGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    /// <summary>Consecutive image ranges whose column matrices fit in <see cref="ColumnBudget"/>.</summary>
    private IEnumerable<(int First, int Count)> ImageChunks(ConvGeometry g)
    {
        long perImage = Math.Max(1L, (long)g.Rows * g.Positions);
        int step = (int)Math.Clamp(ColumnBudget / perImage, 1, Math.Max(1, g.N));
        for (int n0 = 0; n0 < g.N; n0 += step) yield return (n0, Math.Min(step, g.N - n0));
    }

    private void LaunchIm2Col(ConvGeometry g, int images, ArrayView<float> x, ArrayView<float> cols)
    {
        int count = images * g.Rows * g.Positions;
        if (count == 0) return;
        _im2col ??= _accelerator.LoadStreamKernel<ConvGeometry, int, ArrayView<float>, ArrayView<float>>(ConvolutionKernels.Im2Col);
        _im2col(Linear(count), g, count, x, cols);
    }

    private void LaunchCol2Im(ConvGeometry g, int images, ArrayView<float> cols, ArrayView<float> x)
    {
        int count = images * g.C * g.H * g.W;
        if (count == 0) return;
        _col2im ??= _accelerator.LoadStreamKernel<ConvGeometry, int, ArrayView<float>, ArrayView<float>>(ConvolutionKernels.Col2Im);
        _col2im(Linear(count), g, count, cols, x);
    }
}
