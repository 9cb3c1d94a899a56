using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The innermost step of the blocked GEMM: one <see cref="Rows"/> x <see cref="Cols"/> tile of C updated from a packed
/// micro-panel of A (kc steps of <see cref="Rows"/> values) and one of B (kc steps of <see cref="Cols"/> values).
/// With AVX2 and FMA the tile lives in 12 ymm accumulators; each k step costs two loads of B, six broadcasts of A and
/// twelve fused multiply-adds, so the two FMA pipes stay busy while loads stay well under the load ports' rate.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>Rows of C per tile (the height of a packed A micro-panel).</summary>
    public const int Rows = 6;

    /// <summary>Columns of C per tile (the width of a packed B micro-panel): two ymm registers.</summary>
    public const int Cols = 16;

    /// <summary>
    /// Whether the AVX2 + FMA kernel runs. Tests switch it off to exercise the portable kernel on machines that have FMA.
    /// </summary>
    internal static bool UseFma = Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// Full tile: <c>C[0..6, 0..16] (+)= Apanel^T Bpanel</c>. <paramref name="overwrite"/> stores instead of adding.
    /// Shape: a <c>[kc, 6]</c> packed, b <c>[kc, 16]</c> packed, c row-major with leading dimension <paramref name="ldc"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        if (UseFma) Fma6x16(kc, a, b, c, ldc, overwrite);
        else Portable(kc, a, b, c, ldc, overwrite);
    }

    /// <summary>
    /// A partial tile at the bottom or right edge of C: only the first <paramref name="rows"/> x <paramref name="cols"/>
    /// entries are written. The packed panels are zero-padded, so a full kernel runs into a scratch tile first; tiles at
    /// most 8 wide use the half-width kernel, which skips the padding columns' work.
    /// </summary>
    [SkipLocalsInit]
    public static void EdgeTile(int kc, float* a, float* b, float* c, nint ldc, int rows, int cols, bool overwrite)
    {
        float* tile = stackalloc float[Rows * Cols];
        if (cols <= Cols / 2 && UseFma) Fma6x8(kc, a, b, tile, Cols);
        else Tile(kc, a, b, tile, Cols, overwrite: true);
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + r * Cols;
            float* dst = c + r * ldc;
            if (overwrite)
                for (int j = 0; j < cols; j++) dst[j] = src[j];
            else
                for (int j = 0; j < cols; j++) dst[j] += src[j];
        }
    }

    /// <summary>The left half of a tile (columns 0..8 of the 16-wide packed B panel), stored to <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fma6x8(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(b);
            c0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a), b0, c0);
            c1 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 1), b0, c1);
            c2 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 2), b0, c2);
            c3 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 3), b0, c3);
            c4 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 4), b0, c4);
            c5 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 5), b0, c5);
            a += Rows;
            b += Cols;
        }
        Avx.Store(c, c0); c += ldc;
        Avx.Store(c, c1); c += ldc;
        Avx.Store(c, c2); c += ldc;
        Avx.Store(c, c3); c += ldc;
        Avx.Store(c, c4); c += ldc;
        Avx.Store(c, c5);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fma6x16(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;

        // C is written only after the whole k loop: start fetching its rows now so the stores do not wait on memory.
        float* row = c;
        for (int r = 0; r < Rows; r++, row += ldc)
        {
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + Cols - 1);
        }

        // Unrolled by two: halves the loop overhead without growing the live register set.
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var av = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);

            b0 = Avx.LoadVector256(b + 16);
            b1 = Avx.LoadVector256(b + 24);
            av = Avx.BroadcastScalarToVector256(a + 6);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 7);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 8);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 9);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 10);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 11);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);

            a += 12;
            b += 32;
        }
        if (p < kc)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var av = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
        }

        if (overwrite)
        {
            Avx.Store(c, c00); Avx.Store(c + 8, c01); c += ldc;
            Avx.Store(c, c10); Avx.Store(c + 8, c11); c += ldc;
            Avx.Store(c, c20); Avx.Store(c + 8, c21); c += ldc;
            Avx.Store(c, c30); Avx.Store(c + 8, c31); c += ldc;
            Avx.Store(c, c40); Avx.Store(c + 8, c41); c += ldc;
            Avx.Store(c, c50); Avx.Store(c + 8, c51);
        }
        else
        {
            Avx.Store(c, Avx.Add(c00, Avx.LoadVector256(c))); Avx.Store(c + 8, Avx.Add(c01, Avx.LoadVector256(c + 8))); c += ldc;
            Avx.Store(c, Avx.Add(c10, Avx.LoadVector256(c))); Avx.Store(c + 8, Avx.Add(c11, Avx.LoadVector256(c + 8))); c += ldc;
            Avx.Store(c, Avx.Add(c20, Avx.LoadVector256(c))); Avx.Store(c + 8, Avx.Add(c21, Avx.LoadVector256(c + 8))); c += ldc;
            Avx.Store(c, Avx.Add(c30, Avx.LoadVector256(c))); Avx.Store(c + 8, Avx.Add(c31, Avx.LoadVector256(c + 8))); c += ldc;
            Avx.Store(c, Avx.Add(c40, Avx.LoadVector256(c))); Avx.Store(c + 8, Avx.Add(c41, Avx.LoadVector256(c + 8))); c += ldc;
            Avx.Store(c, Avx.Add(c50, Avx.LoadVector256(c))); Avx.Store(c + 8, Avx.Add(c51, Avx.LoadVector256(c + 8)));
        }
    }

    /// <summary>
    /// The same tile with 128-bit vectors (hardware accelerated on SSE and Arm NEON; software otherwise), used where
    /// AVX2/FMA is missing. Accumulators stay in a stack array: correctness first, speed second on such machines.
    /// </summary>
    [SkipLocalsInit]
    private static void Portable(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        const int vectorsPerRow = Cols / 4;
        Vector128<float>* acc = stackalloc Vector128<float>[Rows * vectorsPerRow];
        for (int i = 0; i < Rows * vectorsPerRow; i++) acc[i] = Vector128<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var b2 = Vector128.Load(b + 8);
            var b3 = Vector128.Load(b + 12);
            for (int r = 0; r < Rows; r++)
            {
                var av = Vector128.Create(a[r]);
                Vector128<float>* row = acc + r * vectorsPerRow;
                row[0] += av * b0;
                row[1] += av * b1;
                row[2] += av * b2;
                row[3] += av * b3;
            }
            a += Rows;
            b += Cols;
        }
        for (int r = 0; r < Rows; r++)
        {
            float* dst = c + r * ldc;
            for (int v = 0; v < vectorsPerRow; v++)
            {
                var sum = acc[r * vectorsPerRow + v];
                if (!overwrite) sum += Vector128.Load(dst + 4 * v);
                sum.Store(dst + 4 * v);
            }
        }
    }
}
