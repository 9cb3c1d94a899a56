using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Binary ops and where on contiguous spans, in three layouts: span with span, span with a broadcast scalar on the
/// right, and a broadcast scalar on the left. Arithmetic and max/min use TensorPrimitives, whose results are the
/// IEEE operations of <see cref="Elementwise.BinaryScalar"/> (Max/Min propagate NaN as MathF.Max/Min do);
/// comparisons are Vector256 masks turned into 1/0, and WherePositive a mask and-ed with its first operand. <c>y</c>
/// may be one of the inputs itself.
/// </summary>
internal static class BinaryKernels
{
    /// <summary>Cost of one element relative to an add.</summary>
    public static int Cost(BinaryOp op) => op == BinaryOp.Pow ? 16 : 1;

    /// <summary><c>y[i] = op(a[i], b[i])</c>.</summary>
    public static void Apply(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); return;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); return;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); return;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); return;
            case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); return;
            case BinaryOp.Minimum: TensorPrimitives.Min(a, b, y); return;
        }
        if (op is BinaryOp.Pow || !Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < y.Length; i++) y[i] = Elementwise.BinaryScalar(op, a[i], b[i]);
            return;
        }
        Compare(op, a, default, false, b, default, false, y);
    }

    /// <summary><c>y[i] = op(a[i], b)</c>.</summary>
    public static void Apply(BinaryOp op, ReadOnlySpan<float> a, float b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); return;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); return;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); return;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); return;
            case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); return;
            case BinaryOp.Minimum: TensorPrimitives.Min(a, b, y); return;
        }
        if (op is BinaryOp.Pow || !Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < y.Length; i++) y[i] = Elementwise.BinaryScalar(op, a[i], b);
            return;
        }
        Compare(op, a, default, false, default, b, true, y);
    }

    /// <summary><c>y[i] = op(a, b[i])</c>.</summary>
    public static void Apply(BinaryOp op, float a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(b, a, y); return;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); return;
            case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, y); return;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); return;
            // IEEE 754-2019 maximum and minimum are symmetric, NaN and signed zeros included.
            case BinaryOp.Maximum: TensorPrimitives.Max(b, a, y); return;
            case BinaryOp.Minimum: TensorPrimitives.Min(b, a, y); return;
        }
        if (op is BinaryOp.Pow || !Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < y.Length; i++) y[i] = Elementwise.BinaryScalar(op, a, b[i]);
            return;
        }
        Compare(op, default, a, true, b, default, false, y);
    }

    // One loop for the comparisons and the ReLU gradient's select, in every layout: an operand is a span, or a scalar
    // when its flag is set.
    private static void Compare(BinaryOp op, ReadOnlySpan<float> a, float aScalar, bool aIsScalar,
        ReadOnlySpan<float> b, float bScalar, bool bIsScalar, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Equal: Map(a, aScalar, aIsScalar, b, bScalar, bIsScalar, y, new EqualOp()); break;
            case BinaryOp.NotEqual: Map(a, aScalar, aIsScalar, b, bScalar, bIsScalar, y, new NotEqualOp()); break;
            case BinaryOp.Less: Map(a, aScalar, aIsScalar, b, bScalar, bIsScalar, y, new LessOp()); break;
            case BinaryOp.LessEqual: Map(a, aScalar, aIsScalar, b, bScalar, bIsScalar, y, new LessEqualOp()); break;
            case BinaryOp.Greater: Map(b, bScalar, bIsScalar, a, aScalar, aIsScalar, y, new LessOp()); break;
            case BinaryOp.GreaterEqual: Map(b, bScalar, bIsScalar, a, aScalar, aIsScalar, y, new LessEqualOp()); break;
            case BinaryOp.WherePositive: Map(a, aScalar, aIsScalar, b, bScalar, bIsScalar, y, new WherePositiveOp()); break;
            default: throw new NotSupportedException($"Binary op {op} has no CPU kernel.");
        }
    }

    /// <summary>
    /// <c>y[i] = c[i] != 0 ? a[i] : b[i]</c>, each input read from its array at its offset, or broadcast from that one
    /// element when its flag is set. NaN conditions count as true, as in the scalar <c>c != 0</c>.
    /// </summary>
    public static void Where(float[] c, int cOffset, bool cIsScalar, float[] a, int aOffset, bool aIsScalar,
        float[] b, int bOffset, bool bIsScalar, Span<float> y)
    {
        int n = y.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float cr = ref c[cOffset];
            ref float ar = ref a[aOffset];
            ref float br = ref b[bOffset];
            ref float yr = ref MemoryMarshal.GetReference(y);
            var cs = Vector256.Create(cr);
            var as_ = Vector256.Create(ar);
            var bs = Vector256.Create(br);
            for (; i <= n - 8; i += 8)
            {
                var vc = cIsScalar ? cs : Vector256.LoadUnsafe(ref cr, (nuint)i);
                var va = aIsScalar ? as_ : Vector256.LoadUnsafe(ref ar, (nuint)i);
                var vb = bIsScalar ? bs : Vector256.LoadUnsafe(ref br, (nuint)i);
                Vector256.ConditionalSelect(Vector256.Equals(vc, Vector256<float>.Zero), vb, va).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float vc = c[cOffset + (cIsScalar ? 0 : i)];
            y[i] = vc != 0 ? a[aOffset + (aIsScalar ? 0 : i)] : b[bOffset + (bIsScalar ? 0 : i)];
        }
    }

    private interface IVectorOp
    {
        Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Map<TOp>(ReadOnlySpan<float> a, float aScalar, bool aIsScalar,
        ReadOnlySpan<float> b, float bScalar, bool bIsScalar, Span<float> y, TOp op) where TOp : struct, IVectorOp
    {
        int n = y.Length, i = 0;
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        var va = Vector256.Create(aScalar);
        var vb = Vector256.Create(bScalar);
        for (; i <= n - 8; i += 8)
        {
            if (!aIsScalar) va = Vector256.LoadUnsafe(ref ar, (nuint)i);
            if (!bIsScalar) vb = Vector256.LoadUnsafe(ref br, (nuint)i);
            op.Invoke(va, vb).StoreUnsafe(ref yr, (nuint)i);
        }
        if (i < n)
        {
            Span<float> ta = stackalloc float[8], tb = stackalloc float[8];
            ta.Fill(aScalar);
            tb.Fill(bScalar);
            if (!aIsScalar) a[i..].CopyTo(ta);
            if (!bIsScalar) b[i..].CopyTo(tb);
            op.Invoke(Vector256.Create<float>(ta), Vector256.Create<float>(tb)).CopyTo(ta);
            ta[..(n - i)].CopyTo(y[i..]);
        }
    }

    // Masks are all-ones lanes; and-ing with 1.0f turns true into 1 and false into 0.
    private readonly struct EqualOp : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b) & Vector256<float>.One;
    }

    private readonly struct NotEqualOp : IVectorOp
    {
        // Unordered (NaN) lanes are not equal, so they give 1 as a != b does.
        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.AndNot(Vector256<float>.One, Vector256.Equals(a, b));
    }

    private readonly struct LessOp : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b) & Vector256<float>.One;
    }

    // b > 0 ? a : 0 (PyTorch's threshold_backward): a's own bits where b is positive, +0 elsewhere, NaN in b included.
    private readonly struct WherePositiveOp : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a & Vector256.GreaterThan(b, Vector256<float>.Zero);
    }

    private readonly struct LessEqualOp : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b) & Vector256<float>.One;
    }
}
