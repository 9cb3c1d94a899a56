using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Copies blocks of A and B into the order the micro-kernel reads them, so that the kernel walks memory strictly
/// forwards with unit stride whatever the strides of the operands (a transposed view costs one strided copy here and
/// nothing in the O(mnk) part). Missing rows or columns at the edges are padded with zeros, so the kernel always
/// computes full tiles.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int Mr = GemmMicroKernel.Rows;
    private const int Nr = GemmMicroKernel.Cols;

    /// <summary>Floats a packed A buffer needs beyond its panels: the vector stores of the last k step overrun by two.</summary>
    public const int PackSlack = 8;

    /// <summary>
    /// Packs <c>A[0..mc, 0..kc]</c> (pointer <paramref name="a"/> at its first element) into micro-panels of
    /// <see cref="GemmMicroKernel.Rows"/> rows: panel i holds, for each p, the values <c>A[6i..6i+6, p]</c>.
    /// Shape: dst <c>[ceil(mc/6), kc, 6]</c>.
    /// </summary>
    public static void PackA(int mc, int kc, float* a, nint rowStride, nint colStride, float* dst)
    {
        for (int i0 = 0; i0 < mc; i0 += Mr)
        {
            int rows = Math.Min(Mr, mc - i0);
            float* src = a + i0 * rowStride;
            if (colStride == 1) PackARowMajor(kc, src, rowStride, rows, dst);
            else if (rows == Mr && rowStride == 1) PackAColumnMajor(kc, src, colStride, dst);
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* d = dst + p * Mr;
                    float* s = src + p * colStride;
                    int r = 0;
                    for (; r < rows; r++) d[r] = s[r * rowStride];
                    for (; r < Mr; r++) d[r] = 0f;
                }
            }
            dst += kc * Mr;
        }
    }

    /// <summary>
    /// Up to six rows that are each contiguous: eight k steps at a time go through an 8 x 8 register transpose (zero
    /// vectors fill the rows beyond <paramref name="rows"/> and the two spare slots), and each transposed vector's
    /// first six values are the panel's column for that k. The 8-float stores run forwards, so each overwrites the
    /// previous one's two extra values; the last one spills two floats past the panel, which <see cref="PackSlack"/>
    /// reserves.
    /// </summary>
    private static void PackARowMajor(int kc, float* src, nint rowStride, int rows, float* dst)
    {
        int p0 = 0;
        if (Avx.IsSupported)
        {
            for (; p0 + 8 <= kc; p0 += 8)
            {
                float* s = src + p0;
                var (o0, o1, o2, o3, o4, o5, o6, o7) = Transpose8x8(
                    Row(s, 0, rowStride, rows), Row(s, 1, rowStride, rows), Row(s, 2, rowStride, rows),
                    Row(s, 3, rowStride, rows), Row(s, 4, rowStride, rows), Row(s, 5, rowStride, rows),
                    Vector256<float>.Zero, Vector256<float>.Zero);
                float* d = dst + p0 * Mr;
                Avx.Store(d, o0); Avx.Store(d + Mr, o1); Avx.Store(d + 2 * Mr, o2); Avx.Store(d + 3 * Mr, o3);
                Avx.Store(d + 4 * Mr, o4); Avx.Store(d + 5 * Mr, o5); Avx.Store(d + 6 * Mr, o6); Avx.Store(d + 7 * Mr, o7);
            }
        }
        dst += p0 * Mr;
        for (int p = p0; p < kc; p++)
        {
            int r = 0;
            for (; r < rows; r++) dst[r] = src[r * rowStride + p];
            for (; r < Mr; r++) dst[r] = 0f;
            dst += Mr;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(float* src, int r, nint stride, int rows) =>
        r < rows ? Avx.LoadVector256(src + r * stride) : Vector256<float>.Zero;

    /// <summary>A transposed (column-major) block: the six values of each k step are already adjacent.</summary>
    private static void PackAColumnMajor(int kc, float* src, nint colStride, float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * colStride;
            Vector128.Store(Vector128.Load(s), dst);
            dst[4] = s[4];
            dst[5] = s[5];
            dst += Mr;
        }
    }

    /// <summary>
    /// Packs <c>B[0..kc, 0..nc]</c> into micro-panels of <see cref="GemmMicroKernel.Cols"/> columns: panel j holds, for
    /// each p, the values <c>B[p, 16j..16j+16]</c>. Only panels <paramref name="panelStart"/> to
    /// <paramref name="panelEnd"/> (exclusive) are written, so threads can share the work.
    /// Shape: dst <c>[ceil(nc/16), kc, 16]</c>.
    /// </summary>
    public static void PackB(int kc, int nc, float* b, nint rowStride, nint colStride, float* dst, int panelStart, int panelEnd)
    {
        for (int jp = panelStart; jp < panelEnd; jp++)
        {
            int j0 = jp * Nr;
            int cols = Math.Min(Nr, nc - j0);
            float* src = b + j0 * colStride;
            float* d = dst + (nint)jp * kc * Nr;
            if (cols == Nr && colStride == 1) PackBRowMajor(kc, src, rowStride, d);
            else if (rowStride == 1) PackBColumnMajor(kc, cols, src, colStride, d);
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * rowStride;
                    int j = 0;
                    for (; j < cols; j++) d[j] = s[j * colStride];
                    for (; j < Nr; j++) d[j] = 0f;
                    d += Nr;
                }
            }
        }
    }

    /// <summary>Rows of 16 contiguous values: two vector copies per k step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBRowMajor(int kc, float* src, nint rowStride, float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            Vector256.Store(Vector256.Load(src), dst);
            Vector256.Store(Vector256.Load(src + 8), dst + 8);
            src += rowStride;
            dst += Nr;
        }
    }

    /// <summary>
    /// A transposed B: each column is contiguous along k. Panels go through 8 x 8 register transposes, eight columns by
    /// eight k steps at a time; in a partial panel (a narrow B, as in the weight gradient of a first convolution layer)
    /// zero vectors stand in for the missing columns, so the padding comes out of the same transposes.
    /// </summary>
    private static void PackBColumnMajor(int kc, int cols, float* src, nint colStride, float* dst)
    {
        int p0 = 0;
        if (Avx.IsSupported)
        {
            for (; p0 + 8 <= kc; p0 += 8)
            {
                TransposeColumns(src + p0, colStride, Math.Min(8, cols), dst + p0 * Nr);
                TransposeColumns(src + 8 * colStride + p0, colStride, Math.Max(0, cols - 8), dst + p0 * Nr + 8);
            }
        }
        for (int j = 0; j < cols; j++)
        {
            float* s = src + j * colStride;
            float* d = dst + j;
            for (int p = p0; p < kc; p++) d[p * Nr] = s[p];
        }
        for (int j = cols; j < Nr; j++)
        {
            float* d = dst + j;
            for (int p = p0; p < kc; p++) d[p * Nr] = 0f;
        }
    }

    /// <summary>
    /// Transposes eight vectors of eight floats: output p holds element p of every input, in input order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>,
        Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) Transpose8x8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7)
    {
        // Interleave pairs of rows, then pairs of pairs: each 128-bit lane then holds four rows' values at one index.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the low lanes (indices 0..3) and the high lanes (indices 4..7) of rows 0..3 and rows 4..7.
        return (Avx.Permute2x128(u0, u4, 0x20), Avx.Permute2x128(u1, u5, 0x20),
            Avx.Permute2x128(u2, u6, 0x20), Avx.Permute2x128(u3, u7, 0x20),
            Avx.Permute2x128(u0, u4, 0x31), Avx.Permute2x128(u1, u5, 0x31),
            Avx.Permute2x128(u2, u6, 0x31), Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// Eight columns of B, each contiguous along k (column i at <c>src + i * stride</c>), eight k steps of them:
    /// written as eight panel rows of eight values (row p at <c>dst + p * 16</c>). Only the first
    /// <paramref name="count"/> columns are read; the others are written as zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeColumns(float* src, nint stride, int count, float* dst)
    {
        var (o0, o1, o2, o3, o4, o5, o6, o7) = Transpose8x8(
            Column(src, 0, stride, count), Column(src, 1, stride, count), Column(src, 2, stride, count), Column(src, 3, stride, count),
            Column(src, 4, stride, count), Column(src, 5, stride, count), Column(src, 6, stride, count), Column(src, 7, stride, count));
        Avx.Store(dst, o0); Avx.Store(dst + Nr, o1); Avx.Store(dst + 2 * Nr, o2); Avx.Store(dst + 3 * Nr, o3);
        Avx.Store(dst + 4 * Nr, o4); Avx.Store(dst + 5 * Nr, o5); Avx.Store(dst + 6 * Nr, o6); Avx.Store(dst + 7 * Nr, o7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Column(float* src, int i, nint stride, int count) =>
        i < count ? Avx.LoadVector256(src + i * stride) : Vector256<float>.Zero;
}
