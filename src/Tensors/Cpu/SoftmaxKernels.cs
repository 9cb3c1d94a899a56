using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Softmax and log-softmax along one axis of a contiguous tensor viewed as <c>[outer, n, inner]</c> (a strided input
/// is copied first). With <c>inner == 1</c> (the last axis) each row is three SIMD passes: max, exp and sum, scale.
/// Otherwise tiles of up to 256 neighbouring columns run the same passes elementwise over the n rows.
/// </summary>
internal static class SoftmaxKernels
{
    private const int Tile = 256;

    public static void Run(Tensor input, int axis, Tensor output, bool log)
    {
        Tensor? copy = null;
        if (!input.IsContiguous)
        {
            copy = Tensor.Empty(input.Shape, input.Device);
            Elementwise.Copy(input, copy);
            input = copy;
        }
        try
        {
            float[] x = StridedView.DataOf(input), y = StridedView.DataOf(output);
            int xOff = input.Offset, yOff = output.Offset;
            int n = input.Shape[axis], outer = 1, inner = 1;
            for (int d = 0; d < axis; d++) outer *= input.Shape[d];
            for (int d = axis + 1; d < input.Rank; d++) inner *= input.Shape[d];
            if (inner == 1)
            {
                CpuParallel.For(outer, 4L * n, (o0, o1) =>
                {
                    for (int o = o0; o < o1; o++)
                        Row(x.AsSpan(xOff + o * n, n), y.AsSpan(yOff + o * n, n), log);
                });
                return;
            }
            int tiles = (inner + Tile - 1) / Tile;
            CpuParallel.For(outer * tiles, 4L * n * Math.Min(inner, Tile), (u0, u1) =>
            {
                Span<float> shift = stackalloc float[Tile];
                Span<float> scale = stackalloc float[Tile];
                Span<double> sum = stackalloc double[Tile];
                for (int u = u0; u < u1; u++)
                {
                    int o = u / tiles, k0 = u % tiles * Tile, width = Math.Min(Tile, inner - k0);
                    int offset = o * n * inner + k0;
                    Columns(x, xOff + offset, y, yOff + offset, n, inner, shift[..width], scale[..width], sum[..width], log);
                }
            });
        }
        finally
        {
            copy?.Dispose();
        }
    }

    // One contiguous row: y = exp(x - m) / sum, or (x - m) - log(sum).
    private static void Row(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float m = ReductionKernels.SoftmaxShift(TensorPrimitives.Max(x));
        double sum = ReductionKernels.ExpShifted(x, m, y);
        if (log) ReductionKernels.LogSoftmax(x, m, (float)Math.Log(sum), y);
        else TensorPrimitives.Multiply(y, (float)(1.0 / sum), y);
    }

    // A tile of neighbouring columns; row a of the tile starts at offset + a * stride in both x and y.
    private static void Columns(float[] x, int xo, float[] y, int yo, int n, int stride, Span<float> shift, Span<float> scale,
        Span<double> sum, bool log)
    {
        int width = shift.Length;
        x.AsSpan(xo, width).CopyTo(shift);
        for (int a = 1; a < n; a++) ReductionKernels.ExtremumColumns(true, x, xo + a * stride, 1, shift);
        for (int k = 0; k < width; k++) shift[k] = ReductionKernels.SoftmaxShift(shift[k]);
        sum.Clear();
        for (int a = 0; a < n; a++)
            ReductionKernels.ExpShiftedColumns(x.AsSpan(xo + a * stride, width), shift, y.AsSpan(yo + a * stride, width), sum);
        if (log)
        {
            for (int k = 0; k < width; k++) scale[k] = (float)Math.Log(sum[k]);
            for (int a = 0; a < n; a++)
                ReductionKernels.LogSoftmaxColumns(x.AsSpan(xo + a * stride, width), shift, scale, y.AsSpan(yo + a * stride, width));
        }
        else
        {
            for (int k = 0; k < width; k++) scale[k] = (float)(1.0 / sum[k]);
            for (int a = 0; a < n; a++)
            {
                var row = y.AsSpan(yo + a * stride, width);
                TensorPrimitives.Multiply(row, scale, row);
            }
        }
    }
}
