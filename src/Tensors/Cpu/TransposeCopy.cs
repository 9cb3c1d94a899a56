using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Copy of a transposed matrix (or a batch of them) into row-major order: the destination's rows run along the
/// source's unit stride. Walking either side in order touches a new cache line per element on the other, and
/// power-of-two strides make those lines collide in the cache; so the copy goes in 8 x 8 blocks transposed in
/// registers (AVX), each block reading 8 source lines and writing 8 destination lines, blocks swept in tiles of
/// 64 rows that keep the source lines hot. Without AVX the blocks are copied element by element.
/// </summary>
internal static class TransposeCopy
{
    private const int RowTile = 64;

    /// <summary>
    /// True when the last two merged dimensions of <paramref name="loop"/> (destination view 0, source view 1) are a
    /// transpose worth blocking: destination inner stride 1, source unit stride along the rows, both sides long.
    /// </summary>
    public static bool Applies(ElementwiseLoop loop) =>
        loop.Rank >= 2 && loop.InnerStride(0) == 1 && loop.InnerStride(1) != 1 && loop.Stride(1, loop.Rank - 2) == 1
        && loop.Inner >= 8 && loop.Size(loop.Rank - 2) >= 8;

    /// <summary>Runs the copy planned by <paramref name="loop"/> from <paramref name="x"/> into <paramref name="y"/>.</summary>
    public static void Run(ElementwiseLoop loop, float[] x, float[] y)
    {
        int rank = loop.Rank, rows = loop.Size(rank - 2), cols = loop.Inner;
        int yRow = loop.Stride(0, rank - 2), xCol = loop.InnerStride(1);
        int matrices = loop.Count / (rows * cols), rowTiles = (rows + RowTile - 1) / RowTile;
        CpuParallel.For(matrices * rowTiles, (long)RowTile * cols, (u0, u1) =>
        {
            for (int u = u0; u < u1; u++)
            {
                int m = u / rowTiles, r0 = u % rowTiles * RowTile, r1 = Math.Min(rows, r0 + RowTile);
                int yo = loop.MatrixOffset(0, m), xo = loop.MatrixOffset(1, m);
                int c = 0;
                for (; c + 8 <= cols; c += 8)
                {
                    int r = r0;
                    if (Avx.IsSupported)
                        for (; r + 8 <= r1; r += 8) Block(x, xo + r + c * xCol, xCol, y, yo + r * yRow + c, yRow);
                    Scalar(x, xo, xCol, y, yo, yRow, r, r1, c, c + 8);
                }
                Scalar(x, xo, xCol, y, yo, yRow, r0, r1, c, cols);
            }
        });
    }

    // y[r, c] = x[r + c * xCol] over a rectangle, element by element.
    private static void Scalar(float[] x, int xo, int xCol, float[] y, int yo, int yRow, int r0, int r1, int c0, int c1)
    {
        for (int r = r0; r < r1; r++)
        {
            int yr = yo + r * yRow, xr = xo + r;
            for (int c = c0; c < c1; c++) y[yr + c] = x[xr + c * xCol];
        }
    }

    // One 8 x 8 block: source rows k = 0..7 (x[xs + k * xCol ..], 8 consecutive destination rows each) become the
    // columns of destination rows j = 0..7 (y[ys + j * yRow ..]). Unpack pairs, shuffle quads, then swap 128-bit halves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(float[] x, int xs, int xCol, float[] y, int ys, int yRow)
    {
        var a0 = Vector256.Create<float>(x.AsSpan(xs, 8));
        var a1 = Vector256.Create<float>(x.AsSpan(xs + xCol, 8));
        var a2 = Vector256.Create<float>(x.AsSpan(xs + 2 * xCol, 8));
        var a3 = Vector256.Create<float>(x.AsSpan(xs + 3 * xCol, 8));
        var a4 = Vector256.Create<float>(x.AsSpan(xs + 4 * xCol, 8));
        var a5 = Vector256.Create<float>(x.AsSpan(xs + 5 * xCol, 8));
        var a6 = Vector256.Create<float>(x.AsSpan(xs + 6 * xCol, 8));
        var a7 = Vector256.Create<float>(x.AsSpan(xs + 7 * xCol, 8));
        var t0 = Avx.UnpackLow(a0, a1);
        var t1 = Avx.UnpackHigh(a0, a1);
        var t2 = Avx.UnpackLow(a2, a3);
        var t3 = Avx.UnpackHigh(a2, a3);
        var t4 = Avx.UnpackLow(a4, a5);
        var t5 = Avx.UnpackHigh(a4, a5);
        var t6 = Avx.UnpackLow(a6, a7);
        var t7 = Avx.UnpackHigh(a6, a7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).CopyTo(y.AsSpan(ys, 8));
        Avx.Permute2x128(s1, s5, 0x20).CopyTo(y.AsSpan(ys + yRow, 8));
        Avx.Permute2x128(s2, s6, 0x20).CopyTo(y.AsSpan(ys + 2 * yRow, 8));
        Avx.Permute2x128(s3, s7, 0x20).CopyTo(y.AsSpan(ys + 3 * yRow, 8));
        Avx.Permute2x128(s0, s4, 0x31).CopyTo(y.AsSpan(ys + 4 * yRow, 8));
        Avx.Permute2x128(s1, s5, 0x31).CopyTo(y.AsSpan(ys + 5 * yRow, 8));
        Avx.Permute2x128(s2, s6, 0x31).CopyTo(y.AsSpan(ys + 6 * yRow, 8));
        Avx.Permute2x128(s3, s7, 0x31).CopyTo(y.AsSpan(ys + 7 * yRow, 8));
    }
}
