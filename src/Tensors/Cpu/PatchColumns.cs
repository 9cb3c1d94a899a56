using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// im2col and col2im on raw buffers. The column matrix of one image has a row per (channel, kernel row, kernel
/// column) and a column per output pixel: <c>cols[(c*kh + i)*kw + j, oh*OW + ow] = x[c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]</c>,
/// zero where that position falls in the padding.
/// </summary>
/// <remarks>
/// Several images can share one column matrix side by side (image <c>i</c> in columns <c>i*OH*OW ..</c>), so that
/// one wide GEMM covers a batch of small images; <c>ld</c> is the row stride of that matrix. Each output row is
/// split once into a left padding run, a run read from the input row (a straight copy when the stride is 1) and
/// a right padding run, so no element needs a division or a bounds test.
/// </remarks>
internal static class PatchColumns
{
    /// <summary>
    /// Unfolds images <c>first .. first+count-1</c> of <paramref name="x"/> (contiguous <c>[N, C, H, W]</c> starting at
    /// <paramref name="xOffset"/>). Image <c>i</c> of the run writes its rows starting at
    /// <c>colsOffset + i * imageStride</c>, rows <paramref name="ld"/> apart.
    /// </summary>
    /// <remarks>Splits the (image, channel) planes across threads when <paramref name="parallel"/>; callers that already run one image per thread pass false.</remarks>
    public static void Unfold(in ConvGeometry g, float[] x, int xOffset, int first, int count,
        float[] cols, int colsOffset, int imageStride, int ld, bool parallel = true)
    {
        var geo = g;
        void Planes(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / geo.C, c = t % geo.C;
                int plane = xOffset + ((first + i) * geo.C + c) * geo.Plane;
                int rows = colsOffset + i * imageStride + c * geo.KH * geo.KW * ld;
                UnfoldChannel(geo, x, plane, cols, rows, ld);
            }
        }
        if (parallel) CpuParallel.For(count * g.C, (long)g.KH * g.KW * g.Pixels, Planes);
        else Planes(0, count * g.C);
    }

    /// <summary>
    /// The adjoint of <see cref="Unfold"/>: overwrites each plane of images <c>first .. first+count-1</c> of
    /// <paramref name="x"/> with the sum of the column entries that were read from it.
    /// </summary>
    public static void Fold(in ConvGeometry g, float[] cols, int colsOffset, int imageStride, int ld,
        float[] x, int xOffset, int first, int count, bool parallel = true)
    {
        var geo = g;
        void Planes(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / geo.C, c = t % geo.C;
                int plane = xOffset + ((first + i) * geo.C + c) * geo.Plane;
                int rows = colsOffset + i * imageStride + c * geo.KH * geo.KW * ld;
                FoldChannel(geo, cols, rows, ld, x, plane);
            }
        }
        if (parallel) CpuParallel.For(count * g.C, (long)g.KH * g.KW * g.Pixels, Planes);
        else Planes(0, count * g.C);
    }

    /// <summary>Writes the kh*kw rows of one channel plane.</summary>
    private static void UnfoldChannel(in ConvGeometry g, float[] x, int plane, float[] cols, int rows, int ld)
    {
        int ow = g.OW, sw = g.SW;
        for (int ki = 0; ki < g.KH; ki++)
        {
            int hShift = ki * g.DH - g.PH;
            for (int kj = 0; kj < g.KW; kj++)
            {
                int wShift = kj * g.DW - g.PW;
                var (lo, hi) = ValidRange(wShift, sw, g.W, ow);
                var row = cols.AsSpan(rows + (ki * g.KW + kj) * ld, g.Pixels);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var dst = row.Slice(oh * ow, ow);
                    int ih = oh * g.SH + hShift;
                    if ((uint)ih >= (uint)g.H)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..lo].Clear();
                    dst[hi..].Clear();
                    int src = plane + ih * g.W + wShift;
                    if (sw == 1) CopyRun(x, src + lo, dst[lo..hi]);
                    else for (int o = lo; o < hi; o++) dst[o] = x[src + o * sw];
                }
            }
        }
    }

    /// <summary>Clears one channel plane and adds back its kh*kw rows.</summary>
    private static void FoldChannel(in ConvGeometry g, float[] cols, int rows, int ld, float[] x, int plane)
    {
        x.AsSpan(plane, g.Plane).Clear();
        int ow = g.OW, sw = g.SW;
        for (int ki = 0; ki < g.KH; ki++)
        {
            int hShift = ki * g.DH - g.PH;
            for (int kj = 0; kj < g.KW; kj++)
            {
                int wShift = kj * g.DW - g.PW;
                var (lo, hi) = ValidRange(wShift, sw, g.W, ow);
                if (lo >= hi) continue;
                var row = cols.AsSpan(rows + (ki * g.KW + kj) * ld, g.Pixels);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int ih = oh * g.SH + hShift;
                    if ((uint)ih >= (uint)g.H) continue;
                    var src = row.Slice(oh * ow + lo, hi - lo);
                    int dst = plane + ih * g.W + wShift + lo * sw;
                    if (sw == 1) AddRun(src, x.AsSpan(dst, hi - lo));
                    else for (int o = 0; o < src.Length; o++) x[dst + o * sw] += src[o];
                }
            }
        }
    }

    /// <summary>
    /// The output columns <c>[lo, hi)</c> whose input column <c>ow*stride + shift</c> lies inside <c>[0, size)</c>.
    /// </summary>
    private static (int Lo, int Hi) ValidRange(int shift, int stride, int size, int outSize)
    {
        int lo = shift >= 0 ? 0 : Math.Min(outSize, (-shift + stride - 1) / stride);
        int hi = size - shift <= 0 ? 0 : Math.Min(outSize, (size - shift + stride - 1) / stride);
        return (lo, Math.Max(lo, hi));
    }

    // Short runs (small feature maps) are cheaper as a plain loop than as a span copy call.
    private static void CopyRun(float[] x, int src, Span<float> dst)
    {
        if (dst.Length >= 16) x.AsSpan(src, dst.Length).CopyTo(dst);
        else for (int o = 0; o < dst.Length; o++) dst[o] = x[src + o];
    }

    private static void AddRun(ReadOnlySpan<float> src, Span<float> dst)
    {
        if (dst.Length >= 16) TensorPrimitives.Add(dst, src, dst);
        else for (int o = 0; o < dst.Length; o++) dst[o] += src[o];
    }
}
