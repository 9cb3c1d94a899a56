using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The inner loops of reductions and softmax. Row kernels fold one row (contiguous: SIMD; strided: scalar) into a
/// scalar; column kernels fold one input row elementwise into an accumulator row. Sums accumulate in double (floats
/// widened lane by lane), so a sum of a million elements is as exact as the scalar reference.
/// </summary>
internal static class ReductionKernels
{
    // ---- rows -------------------------------------------------------------------------------------------------

    /// <summary>Sum of <paramref name="n"/> elements of <paramref name="x"/> from <paramref name="offset"/> with <paramref name="stride"/>.</summary>
    public static double Sum(float[] x, int offset, int n, int stride)
    {
        if (stride == 1) return Sum(x.AsSpan(offset, n));
        double s = 0;
        for (int i = 0; i < n; i++) s += x[offset + i * stride];
        return s;
    }

    /// <summary>Sum of a contiguous row, in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float r = ref MemoryMarshal.GetReference(x);
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 16; i += 16)
            {
                var (l0, h0) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                var (l1, h1) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i + 8));
                a0 += l0; a1 += h0; a2 += l1; a3 += h1;
            }
            for (; i <= n - 8; i += 8)
            {
                var (l, h) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                a0 += l; a1 += h;
            }
            s = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) s += x[i];
        return s;
    }

    /// <summary>Sum of squared deviations from <paramref name="mean"/>, in double.</summary>
    public static double SumSquaredDeviations(float[] x, int offset, int n, int stride, double mean)
    {
        int i = 0;
        double s = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float r = ref x[offset];
            var m = Vector256.Create(mean);
            Vector256<double> a0 = default, a1 = default;
            for (; i <= n - 8; i += 8)
            {
                var (l, h) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                l -= m; h -= m;
                a0 = Vector256.MultiplyAddEstimate(l, l, a0);
                a1 = Vector256.MultiplyAddEstimate(h, h, a1);
            }
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++)
        {
            double d = x[offset + i * stride] - mean;
            s += d * d;
        }
        return s;
    }

    /// <summary>Sum of <c>exp(x - m)</c>, accumulated in double.</summary>
    public static double SumExp(float[] x, int offset, int n, int stride, float m)
    {
        int i = 0;
        double s = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float r = ref x[offset];
            var vm = Vector256.Create(m);
            Vector256<double> a0 = default, a1 = default;
            for (; i <= n - 16; i += 16)
            {
                var (l0, h0) = Vector256.Widen(VectorMath.Exp(Vector256.LoadUnsafe(ref r, (nuint)i) - vm));
                var (l1, h1) = Vector256.Widen(VectorMath.Exp(Vector256.LoadUnsafe(ref r, (nuint)i + 8) - vm));
                a0 += l0 + h0;
                a1 += l1 + h1;
            }
            for (; i <= n - 8; i += 8)
            {
                var (l, h) = Vector256.Widen(VectorMath.Exp(Vector256.LoadUnsafe(ref r, (nuint)i) - vm));
                a0 += l + h;
            }
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++) s += Math.Exp(x[offset + i * stride] - m);
        return s;
    }

    /// <summary>Largest (or smallest) element; NaN if any element is NaN. <paramref name="n"/> must be positive.</summary>
    public static float Extremum(bool max, float[] x, int offset, int n, int stride)
    {
        if (stride == 1)
        {
            var row = x.AsSpan(offset, n);
            return max ? TensorPrimitives.Max(row) : TensorPrimitives.Min(row);
        }
        float m = x[offset];
        for (int i = 1; i < n; i++)
        {
            float v = x[offset + i * stride];
            m = max ? MathF.Max(m, v) : MathF.Min(m, v);
        }
        return m;
    }

    /// <summary>
    /// Position of the first maximum (or minimum) along a row, the first NaN winning over everything; ties keep the
    /// first (+0 and -0 tie). <paramref name="n"/> must be positive.
    /// </summary>
    public static int ArgExtremum(bool max, float[] x, int offset, int n, int stride)
    {
        if (stride == 1)
        {
            var row = x.AsSpan(offset, n);
            float m = max ? TensorPrimitives.Max(row) : TensorPrimitives.Min(row);
            return IndexOfFirst(row, m);
        }
        int best = 0;
        float bestValue = x[offset];
        for (int i = 1; i < n && !float.IsNaN(bestValue); i++)
        {
            float v = x[offset + i * stride];
            if (float.IsNaN(v) || (max ? v > bestValue : v < bestValue)) { best = i; bestValue = v; }
        }
        return best;
    }

    // First i with row[i] == value (NaN matching NaN); value is known to occur.
    private static int IndexOfFirst(ReadOnlySpan<float> row, float value)
    {
        int n = row.Length, i = 0;
        bool nan = float.IsNaN(value);
        if (Vector256.IsHardwareAccelerated)
        {
            ref float r = ref MemoryMarshal.GetReference(row);
            var v = Vector256.Create(value);
            for (; i <= n - 8; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref r, (nuint)i);
                var hit = nan ? ~Vector256.Equals(x, x) : Vector256.Equals(x, v);
                uint bits = hit.ExtractMostSignificantBits();
                if (bits != 0) return i + System.Numerics.BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < n; i++)
            if (nan ? float.IsNaN(row[i]) : row[i] == value) return i;
        return n - 1;
    }

    // ---- columns ----------------------------------------------------------------------------------------------

    /// <summary><c>acc[k] += x[offset + k * stride]</c> for every k of <paramref name="acc"/>.</summary>
    public static void AddColumns(float[] x, int offset, int stride, Span<double> acc)
    {
        int n = acc.Length, k = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated)
        {
            ref float r = ref x[offset];
            ref double a = ref MemoryMarshal.GetReference(acc);
            for (; k <= n - 8; k += 8)
            {
                var (l, h) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)k));
                (Vector256.LoadUnsafe(ref a, (nuint)k) + l).StoreUnsafe(ref a, (nuint)k);
                (Vector256.LoadUnsafe(ref a, (nuint)k + 4) + h).StoreUnsafe(ref a, (nuint)k + 4);
            }
        }
        for (; k < n; k++) acc[k] += x[offset + k * stride];
    }

    /// <summary><c>acc[k] += (x[k] - mean[k])^2</c>.</summary>
    public static void AddSquaredDeviations(float[] x, int offset, int stride, ReadOnlySpan<double> mean, Span<double> acc)
    {
        int n = acc.Length, k = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated)
        {
            ref float r = ref x[offset];
            ref double a = ref MemoryMarshal.GetReference(acc);
            ref double m = ref MemoryMarshal.GetReference(mean);
            for (; k <= n - 8; k += 8)
            {
                var (l, h) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)k));
                l -= Vector256.LoadUnsafe(ref m, (nuint)k);
                h -= Vector256.LoadUnsafe(ref m, (nuint)k + 4);
                Vector256.MultiplyAddEstimate(l, l, Vector256.LoadUnsafe(ref a, (nuint)k)).StoreUnsafe(ref a, (nuint)k);
                Vector256.MultiplyAddEstimate(h, h, Vector256.LoadUnsafe(ref a, (nuint)k + 4)).StoreUnsafe(ref a, (nuint)k + 4);
            }
        }
        for (; k < n; k++)
        {
            double d = x[offset + k * stride] - mean[k];
            acc[k] += d * d;
        }
    }

    /// <summary><c>acc[k] += exp(x[k] - m[k])</c>, accumulated in double.</summary>
    public static void AddExp(float[] x, int offset, int stride, ReadOnlySpan<float> m, Span<double> acc)
    {
        int n = acc.Length, k = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated)
        {
            ref float r = ref x[offset];
            ref float mr = ref MemoryMarshal.GetReference(m);
            ref double a = ref MemoryMarshal.GetReference(acc);
            for (; k <= n - 8; k += 8)
            {
                var e = VectorMath.Exp(Vector256.LoadUnsafe(ref r, (nuint)k) - Vector256.LoadUnsafe(ref mr, (nuint)k));
                var (l, h) = Vector256.Widen(e);
                (Vector256.LoadUnsafe(ref a, (nuint)k) + l).StoreUnsafe(ref a, (nuint)k);
                (Vector256.LoadUnsafe(ref a, (nuint)k + 4) + h).StoreUnsafe(ref a, (nuint)k + 4);
            }
        }
        for (; k < n; k++) acc[k] += Math.Exp(x[offset + k * stride] - m[k]);
    }

    /// <summary><c>acc[k] = max(acc[k], x[k])</c> (or min), NaN propagating.</summary>
    public static void ExtremumColumns(bool max, float[] x, int offset, int stride, Span<float> acc)
    {
        int n = acc.Length, k = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated)
        {
            ref float r = ref x[offset];
            ref float a = ref MemoryMarshal.GetReference(acc);
            for (; k <= n - 8; k += 8)
            {
                var v = Vector256.LoadUnsafe(ref r, (nuint)k);
                var c = Vector256.LoadUnsafe(ref a, (nuint)k);
                (max ? Vector256.Max(c, v) : Vector256.Min(c, v)).StoreUnsafe(ref a, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            float v = x[offset + k * stride];
            acc[k] = max ? MathF.Max(acc[k], v) : MathF.Min(acc[k], v);
        }
    }

    /// <summary>
    /// One step of a running arg-extremum over rows: where <c>x[k]</c> beats <c>best[k]</c> (strictly, or is the first
    /// NaN) it replaces it and <c>index[k]</c> becomes <paramref name="row"/>.
    /// </summary>
    public static void ArgExtremumColumns(bool max, float[] x, int offset, int stride, int row, Span<float> best, Span<float> index)
    {
        int n = best.Length, k = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated)
        {
            ref float r = ref x[offset];
            ref float b = ref MemoryMarshal.GetReference(best);
            ref float ix = ref MemoryMarshal.GetReference(index);
            var vrow = Vector256.Create((float)row);
            for (; k <= n - 8; k += 8)
            {
                var v = Vector256.LoadUnsafe(ref r, (nuint)k);
                var c = Vector256.LoadUnsafe(ref b, (nuint)k);
                var beats = max ? Vector256.GreaterThan(v, c) : Vector256.LessThan(v, c);
                beats |= Vector256.AndNot(Vector256.Equals(c, c), Vector256.Equals(v, v));
                Vector256.ConditionalSelect(beats, v, c).StoreUnsafe(ref b, (nuint)k);
                Vector256.ConditionalSelect(beats, vrow, Vector256.LoadUnsafe(ref ix, (nuint)k)).StoreUnsafe(ref ix, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            float v = x[offset + k * stride], c = best[k];
            if (float.IsNaN(c)) continue;
            if (float.IsNaN(v) || (max ? v > c : v < c)) { best[k] = v; index[k] = row; }
        }
    }

    // ---- softmax pieces ---------------------------------------------------------------------------------------

    /// <summary><c>y[i] = exp(x[i] - m)</c>, returning the sum of the y in double.</summary>
    public static double ExpShifted(ReadOnlySpan<float> x, float m, Span<float> y)
    {
        int n = x.Length, i = 0;
        if (!Vector256.IsHardwareAccelerated)
        {
            double sum = 0;
            for (; i < n; i++) sum += y[i] = (float)Math.Exp(x[i] - m);
            return sum;
        }
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        var vm = Vector256.Create(m);
        // Two independent accumulators keep the additions off the critical path of the exp pipeline.
        Vector256<double> a0 = default, a1 = default;
        for (; i <= n - 16; i += 16)
        {
            var e0 = VectorMath.Exp(Vector256.LoadUnsafe(ref xr, (nuint)i) - vm);
            var e1 = VectorMath.Exp(Vector256.LoadUnsafe(ref xr, (nuint)i + 8) - vm);
            e0.StoreUnsafe(ref yr, (nuint)i);
            e1.StoreUnsafe(ref yr, (nuint)i + 8);
            var (l0, h0) = Vector256.Widen(e0);
            var (l1, h1) = Vector256.Widen(e1);
            a0 += l0 + h0;
            a1 += l1 + h1;
        }
        for (; i <= n - 8; i += 8)
        {
            var e = VectorMath.Exp(Vector256.LoadUnsafe(ref xr, (nuint)i) - vm);
            e.StoreUnsafe(ref yr, (nuint)i);
            var (l, h) = Vector256.Widen(e);
            a0 += l + h;
        }
        double s = Vector256.Sum(a0 + a1);
        return i < n ? s + ExpShiftedTail(x[i..], m, y[i..]) : s;
    }

    // The last partial vector of ExpShifted, padded with -inf (exp(-inf) = 0 adds nothing to the sum).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double ExpShiftedTail(ReadOnlySpan<float> x, float m, Span<float> y)
    {
        Span<float> tail = stackalloc float[8];
        tail.Fill(float.NegativeInfinity);
        x.CopyTo(tail);
        var e = VectorMath.Exp(Vector256.Create<float>(tail) - Vector256.Create(m));
        e.CopyTo(tail);
        tail[..x.Length].CopyTo(y);
        var (l, h) = Vector256.Widen(e);
        return Vector256.Sum(l + h);
    }

    /// <summary><c>y[k] = exp(x[k] - m[k])</c> and <c>acc[k] += y[k]</c> (acc in double).</summary>
    public static void ExpShiftedColumns(ReadOnlySpan<float> x, ReadOnlySpan<float> m, Span<float> y, Span<double> acc)
    {
        int n = x.Length, k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float mr = ref MemoryMarshal.GetReference(m);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref double a = ref MemoryMarshal.GetReference(acc);
            for (; k <= n - 8; k += 8)
            {
                var e = VectorMath.Exp(Vector256.LoadUnsafe(ref xr, (nuint)k) - Vector256.LoadUnsafe(ref mr, (nuint)k));
                e.StoreUnsafe(ref yr, (nuint)k);
                var (l, h) = Vector256.Widen(e);
                (Vector256.LoadUnsafe(ref a, (nuint)k) + l).StoreUnsafe(ref a, (nuint)k);
                (Vector256.LoadUnsafe(ref a, (nuint)k + 4) + h).StoreUnsafe(ref a, (nuint)k + 4);
            }
        }
        for (; k < n; k++)
        {
            y[k] = (float)Math.Exp(x[k] - m[k]);
            acc[k] += y[k];
        }
    }

    /// <summary>
    /// <c>y[i] = (x[i] - shift) - logSum</c>: log-softmax. Subtracting the two parts separately keeps the small
    /// differences exact where <c>shift + logSum</c> would round at the magnitude of the inputs.
    /// </summary>
    public static void LogSoftmax(ReadOnlySpan<float> x, float shift, float logSum, Span<float> y)
    {
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            var vs = Vector256.Create(shift);
            var vl = Vector256.Create(logSum);
            for (; i <= n - 8; i += 8)
                (Vector256.LoadUnsafe(ref xr, (nuint)i) - vs - vl).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = x[i] - shift - logSum;
    }

    /// <summary><c>y[k] = (x[k] - shift[k]) - logSum[k]</c>, the column form of <see cref="LogSoftmax(ReadOnlySpan{float}, float, float, Span{float})"/>.</summary>
    public static void LogSoftmaxColumns(ReadOnlySpan<float> x, ReadOnlySpan<float> shift, ReadOnlySpan<float> logSum, Span<float> y)
    {
        int n = x.Length, k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float sr = ref MemoryMarshal.GetReference(shift);
            ref float lr = ref MemoryMarshal.GetReference(logSum);
            ref float yr = ref MemoryMarshal.GetReference(y);
            for (; k <= n - 8; k += 8)
                (Vector256.LoadUnsafe(ref xr, (nuint)k) - Vector256.LoadUnsafe(ref sr, (nuint)k) - Vector256.LoadUnsafe(ref lr, (nuint)k))
                    .StoreUnsafe(ref yr, (nuint)k);
        }
        for (; k < n; k++) y[k] = x[k] - shift[k] - logSum[k];
    }

    /// <summary>
    /// What softmax subtracts before exponentiating: the maximum, or 0 when it is -inf (every element -inf), so that
    /// such a slice gives exp(-inf) = 0 rather than exp(NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SoftmaxShift(float max) => float.IsNegativeInfinity(max) ? 0f : max;
}
