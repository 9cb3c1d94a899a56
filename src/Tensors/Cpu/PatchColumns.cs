using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// im2col and col2im on raw buffers. The column matrix of one image has a row per (channel, kernel row, kernel
/// column) and a column per output pixel: <c>cols[(c*kh + i)*kw + j, oh*OW + ow] = x[c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]</c>,
/// zero where that position falls in the padding.
/// </summary>
/// <remarks>
/// Several images can share one column matrix side by side (image <c>i</c> in columns <c>i*OH*OW ..</c>), so that
/// one wide GEMM covers a batch of small images; <c>ld</c> is the row stride of that matrix. For each kernel tap the
/// output rows and columns that read real input form one rectangle, found once per tap; everything outside it is
/// padding. Inside it each output row is a run copied from one input row (a straight copy when the stride is 1,
/// and a single block when whole input rows line up), so no element needs a division or a bounds test. Feature
/// maps of CNNs are often only 4 to 16 pixels wide, so the runs are short: they are moved with explicit vectors
/// rather than a general copy routine whose fixed cost would dominate.
/// </remarks>
internal static unsafe class PatchColumns
{
    /// <summary>
    /// Unfolds whole images <c>first .. first+count-1</c> of <paramref name="x"/> (contiguous <c>[N, C, H, W]</c> starting at
    /// <paramref name="xOffset"/>). Image <c>i</c> of the run writes its rows starting at
    /// <c>colsOffset + i * imageStride</c>, rows <paramref name="ld"/> apart.
    /// </summary>
    /// <remarks>Splits the (image, channel) planes across threads when <paramref name="parallel"/>; callers that already run one image per thread pass false.</remarks>
    public static void Unfold(in ConvGeometry g, float[] x, int xOffset, int first, int count,
        float[] cols, int colsOffset, int imageStride, int ld, bool parallel = true) =>
        Unfold(g, x, xOffset, first, count, 0, g.OH, cols, colsOffset, imageStride, ld, parallel);

    /// <summary>
    /// As the whole-image overload, for output rows <c>[rowStart, rowEnd)</c> only: output pixel <c>(r, ow)</c> lands in
    /// column <c>(r - rowStart) * OW + ow</c>. Unfolding a large image a band of rows at a time keeps the column
    /// matrix in cache for the GEMM that reads it.
    /// </summary>
    public static void Unfold(in ConvGeometry g, float[] x, int xOffset, int first, int count, int rowStart, int rowEnd,
        float[] cols, int colsOffset, int imageStride, int ld, bool parallel = true)
    {
        var geo = g;
        void Planes(int t0, int t1)
        {
            int* taps = stackalloc int[TapTableLength(geo)];
            FillTapTable(geo, taps);
            fixed (float* xp = x, cp = cols)
            {
                for (int t = t0; t < t1; t++)
                {
                    int i = t / geo.C, c = t % geo.C;
                    long plane = xOffset + ((long)(first + i) * geo.C + c) * geo.Plane;
                    long rows = colsOffset + (long)i * imageStride + (long)c * geo.KH * geo.KW * ld;
                    UnfoldChannel(geo, taps, rowStart, rowEnd, xp + plane, cp + rows, ld);
                }
            }
        }
        if (parallel) CpuParallel.For(count * g.C, (long)g.KH * g.KW * (rowEnd - rowStart) * g.OW, Planes);
        else Planes(0, count * g.C);
    }

    /// <summary>
    /// The adjoint of <see cref="Unfold(in ConvGeometry, float[], int, int, int, float[], int, int, int, bool)"/>:
    /// overwrites each plane of images <c>first .. first+count-1</c> of <paramref name="x"/> with the sum of the
    /// column entries that were read from it.
    /// </summary>
    public static void Fold(in ConvGeometry g, float[] cols, int colsOffset, int imageStride, int ld,
        float[] x, int xOffset, int first, int count, bool parallel = true) =>
        Fold(g, cols, colsOffset, imageStride, ld, x, xOffset, first, count, 0, g.OH, clear: true, parallel);

    /// <summary>
    /// Adds back the columns of output rows <c>[rowStart, rowEnd)</c> (laid out as the banded
    /// <see cref="Unfold(in ConvGeometry, float[], int, int, int, int, int, float[], int, int, int, bool)"/> writes them),
    /// clearing each plane first when <paramref name="clear"/> (the first band of an image).
    /// </summary>
    public static void Fold(in ConvGeometry g, float[] cols, int colsOffset, int imageStride, int ld,
        float[] x, int xOffset, int first, int count, int rowStart, int rowEnd, bool clear, bool parallel = true)
    {
        var geo = g;
        void Planes(int t0, int t1)
        {
            int* taps = stackalloc int[TapTableLength(geo)];
            FillTapTable(geo, taps);
            fixed (float* xp = x, cp = cols)
            {
                for (int t = t0; t < t1; t++)
                {
                    int i = t / geo.C, c = t % geo.C;
                    long plane = xOffset + ((long)(first + i) * geo.C + c) * geo.Plane;
                    long rows = colsOffset + (long)i * imageStride + (long)c * geo.KH * geo.KW * ld;
                    if (clear) Clear(xp + plane, geo.Plane);
                    FoldChannel(geo, taps, rowStart, rowEnd, cp + rows, ld, xp + plane);
                }
            }
        }
        if (parallel) CpuParallel.For(count * g.C, (long)g.KH * g.KW * (rowEnd - rowStart) * g.OW, Planes);
        else Planes(0, count * g.C);
    }

    /// <summary>Writes the kh*kw rows (<paramref name="ld"/> apart) of one channel plane for output rows <c>[rowStart, rowEnd)</c>.</summary>
    private static void UnfoldChannel(in ConvGeometry g, int* taps, int rowStart, int rowEnd, float* plane, float* rows, int ld)
    {
        int ow = g.OW, sw = g.SW, w = g.W;
        int* columnTaps = taps + 2 * g.KH;
        for (int ki = 0; ki < g.KH; ki++)
        {
            int hShift = ki * g.DH - g.PH;
            int top = Math.Clamp(taps[2 * ki], rowStart, rowEnd), bottom = Math.Clamp(taps[2 * ki + 1], top, rowEnd);
            for (int kj = 0; kj < g.KW; kj++)
            {
                int wShift = kj * g.DW - g.PW;
                int lo = columnTaps[2 * kj], hi = columnTaps[2 * kj + 1];
                float* row = rows + (long)(ki * g.KW + kj) * ld;
                Clear(row, (top - rowStart) * ow);
                Clear(row + (bottom - rowStart) * ow, (rowEnd - bottom) * ow);
                if (top >= bottom) continue;
                float* src = plane + (top * g.SH + hShift) * w + wShift;
                float* dst = row + (top - rowStart) * ow;
                if (sw == 1 && g.SH == 1 && lo == 0 && hi == ow && ow == w)
                {
                    // Whole input rows: the run of output rows is one block of the plane.
                    Copy(src, dst, (bottom - top) * ow);
                    continue;
                }
                long srcStep = (long)g.SH * w;
                if (lo == 0 && hi == ow && sw == 1)
                {
                    for (int r = top; r < bottom; r++, src += srcStep, dst += ow) Copy(src, dst, ow);
                    continue;
                }
                for (int r = top; r < bottom; r++, src += srcStep, dst += ow)
                {
                    Clear(dst, lo);
                    Clear(dst + hi, ow - hi);
                    if (sw == 1) Copy(src + lo, dst + lo, hi - lo);
                    else if (sw == 2) CopyEven(src + 2 * lo, dst + lo, hi - lo);
                    else for (int o = lo; o < hi; o++) dst[o] = src[o * sw];
                }
            }
        }
    }

    /// <summary>Adds the kh*kw rows of output rows <c>[rowStart, rowEnd)</c> back into one channel plane.</summary>
    private static void FoldChannel(in ConvGeometry g, int* taps, int rowStart, int rowEnd, float* rows, int ld, float* plane)
    {
        int ow = g.OW, sw = g.SW, w = g.W;
        int* columnTaps = taps + 2 * g.KH;
        for (int ki = 0; ki < g.KH; ki++)
        {
            int hShift = ki * g.DH - g.PH;
            int top = Math.Clamp(taps[2 * ki], rowStart, rowEnd), bottom = Math.Clamp(taps[2 * ki + 1], top, rowEnd);
            if (top >= bottom) continue;
            for (int kj = 0; kj < g.KW; kj++)
            {
                int wShift = kj * g.DW - g.PW;
                int lo = columnTaps[2 * kj], hi = columnTaps[2 * kj + 1];
                if (lo >= hi) continue;
                float* src = rows + (long)(ki * g.KW + kj) * ld + (top - rowStart) * ow;
                float* dst = plane + (top * g.SH + hShift) * w + wShift;
                if (sw == 1 && g.SH == 1 && lo == 0 && hi == ow && ow == w)
                {
                    Add(src, dst, (bottom - top) * ow);
                    continue;
                }
                long dstStep = (long)g.SH * w;
                for (int r = top; r < bottom; r++, src += ow, dst += dstStep)
                {
                    if (sw == 1) Add(src + lo, dst + lo, hi - lo);
                    else if (sw == 2) AddEven(src + lo, dst + 2 * lo, hi - lo);
                    else for (int o = lo; o < hi; o++) dst[o * sw] += src[o];
                }
            }
        }
    }

    private static int TapTableLength(in ConvGeometry g) => 2 * (g.KH + g.KW);

    /// <summary>
    /// For each kernel row the output rows <c>[top, bottom)</c> that read real input, then for each kernel column the
    /// output columns <c>[lo, hi)</c>: the same for every channel and image, so worked out once per call.
    /// </summary>
    private static void FillTapTable(in ConvGeometry g, int* taps)
    {
        for (int ki = 0; ki < g.KH; ki++)
        {
            var (top, bottom) = ValidRange(ki * g.DH - g.PH, g.SH, g.H, g.OH);
            taps[2 * ki] = top;
            taps[2 * ki + 1] = bottom;
        }
        int* columnTaps = taps + 2 * g.KH;
        for (int kj = 0; kj < g.KW; kj++)
        {
            var (lo, hi) = ValidRange(kj * g.DW - g.PW, g.SW, g.W, g.OW);
            columnTaps[2 * kj] = lo;
            columnTaps[2 * kj + 1] = hi;
        }
    }

    /// <summary>
    /// The output positions <c>[lo, hi)</c> whose input position <c>o*stride + shift</c> lies inside <c>[0, size)</c>.
    /// </summary>
    private static (int Lo, int Hi) ValidRange(int shift, int stride, int size, int outSize)
    {
        int lo = shift >= 0 ? 0 : Math.Min(outSize, (-shift + stride - 1) / stride);
        int hi = size - shift <= 0 ? 0 : Math.Min(outSize, (size - shift + stride - 1) / stride);
        return (lo, Math.Max(lo, hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int n)
    {
        // Runs of 4 to 16 (the rows of small feature maps) take two overlapping vector moves and no loop.
        if (n >= 4 && n <= 16 && Vector256.IsHardwareAccelerated)
        {
            if (n <= 8)
            {
                var head = Vector128.Load(src);
                var tail = Vector128.Load(src + n - 4);
                head.Store(dst);
                tail.Store(dst + n - 4);
            }
            else
            {
                var head = Vector256.Load(src);
                var tail = Vector256.Load(src + n - 8);
                head.Store(dst);
                tail.Store(dst + n - 8);
            }
            return;
        }
        if (n >= 256)
        {
            new ReadOnlySpan<float>(src, n).CopyTo(new Span<float>(dst, n));
            return;
        }
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.Store(Vector128.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(float* dst, int n)
    {
        if (n <= 0) return;
        if (n >= 256)
        {
            new Span<float>(dst, n).Clear();
            return;
        }
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256<float>.Zero, dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.Store(Vector128<float>.Zero, dst + i);
        for (; i < n; i++) dst[i] = 0f;
    }

    /// <summary><c>dst[i] = src[2*i]</c> (stride-2 convolutions), four at a time from two loads.</summary>
    private static void CopyEven(float* src, float* dst, int n)
    {
        int i = 0;
        // Each step reads src[2i .. 2i+8), one past the last element it needs, so it stops before the final one.
        if (Sse.IsSupported)
            for (; i + 4 < n; i += 4)
                Sse.Store(dst + i, Sse.Shuffle(Sse.LoadVector128(src + 2 * i), Sse.LoadVector128(src + 2 * i + 4), 0b10_00_10_00));
        for (; i < n; i++) dst[i] = src[2 * i];
    }

    /// <summary><c>dst[2*i] += src[i]</c>: the adjoint of <see cref="CopyEven"/> (odd positions get zeros added).</summary>
    private static void AddEven(float* src, float* dst, int n)
    {
        int i = 0;
        if (Sse.IsSupported)
        {
            var zero = Vector128<float>.Zero;
            for (; i + 4 < n; i += 4)
            {
                var s = Sse.LoadVector128(src + i);
                float* d = dst + 2 * i;
                Sse.Store(d, Sse.Add(Sse.LoadVector128(d), Sse.UnpackLow(s, zero)));
                Sse.Store(d + 4, Sse.Add(Sse.LoadVector128(d + 4), Sse.UnpackHigh(s, zero)));
            }
        }
        for (; i < n; i++) dst[2 * i] += src[i];
    }

    /// <summary><c>dst[i] += src[i]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* src, float* dst, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.Store(Vector128.Load(dst + i) + Vector128.Load(src + i), dst + i);
        for (; i < n; i++) dst[i] += src[i];
    }
}
