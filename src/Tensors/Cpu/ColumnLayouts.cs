using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Where <see cref="PatchColumns"/> writes entry <c>(tap, column)</c> of a column matrix. The unfolding walks runs of
/// consecutive columns of one tap row; a layout turns each run into stores. Implemented by structs, so each layout
/// gets its own compiled copy of the unfolding loop.
/// </summary>
internal unsafe interface IColumnLayout
{
    /// <summary>Row <paramref name="tap"/>, columns <c>[column, column+n)</c> = <c>src[0], src[stride], ...</c>.</summary>
    void Copy(int tap, int column, float* src, int stride, int n);

    /// <summary>Row <paramref name="tap"/>, columns <c>[column, column+n)</c> = 0.</summary>
    void Clear(int tap, int column, int n);
}

/// <summary>The plain column matrix: row <c>tap</c> at <c>Rows + tap*Ld</c>, columns contiguous.</summary>
internal readonly unsafe struct RowMajorColumns(float* rows, int ld) : IColumnLayout
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Copy(int tap, int column, float* src, int stride, int n) =>
        ColumnRuns.Copy(src, stride, rows + (nint)tap * ld + column, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(int tap, int column, int n) => ColumnRuns.Clear(rows + (nint)tap * ld + column, n);
}

/// <summary>
/// The column matrix already in the GEMM's packed-B order (<see cref="GemmBlocked.RunPrepacked"/>): columns in
/// panels of 16, each panel <c>[depth, 16]</c>, so a run is split where it crosses from one panel into the next.
/// <c>columnBase</c> is added to every column (an image's place among several side by side).
/// </summary>
internal readonly unsafe struct PanelColumns(float* panels, int depth, int columnBase) : IColumnLayout
{
    private const int Nr = GemmMicroKernel.Cols;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Copy(int tap, int column, float* src, int stride, int n)
    {
        int j = column + columnBase;
        while (n > 0)
        {
            int within = j % Nr, run = Math.Min(n, Nr - within);
            ColumnRuns.Copy(src, stride, panels + (nint)(j / Nr) * depth * Nr + tap * Nr + within, run);
            src += (nint)run * stride;
            j += run;
            n -= run;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(int tap, int column, int n)
    {
        int j = column + columnBase;
        while (n > 0)
        {
            int within = j % Nr, run = Math.Min(n, Nr - within);
            ColumnRuns.Clear(panels + (nint)(j / Nr) * depth * Nr + tap * Nr + within, run);
            j += run;
            n -= run;
        }
    }
}

/// <summary>
/// Short copies and clears for the unfolding. Feature maps of CNNs are often only 4 to 16 pixels wide, so runs are
/// moved with explicit vectors rather than a general copy routine whose fixed cost would dominate.
/// </summary>
internal static unsafe class ColumnRuns
{
    /// <summary><c>dst[i] = src[i * stride]</c> for i in <c>[0, n)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, int stride, float* dst, int n)
    {
        if (stride == 1) Copy(src, dst, n);
        else if (stride == 2) CopyEven(src, dst, n);
        else for (int i = 0; i < n; i++) dst[i] = src[(nint)i * stride];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, float* dst, int n)
    {
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
    public static void Clear(float* dst, int n)
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
    public static void CopyEven(float* src, float* dst, int n)
    {
        int i = 0;
        // Each step reads src[2i .. 2i+8), one past the last element it needs, so it stops before the final one.
        if (Sse.IsSupported)
            for (; i + 4 < n; i += 4)
                Sse.Store(dst + i, Sse.Shuffle(Sse.LoadVector128(src + 2 * i), Sse.LoadVector128(src + 2 * i + 4), 0b10_00_10_00));
        for (; i < n; i++) dst[i] = src[2 * i];
    }
}
