using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Unary ops on contiguous spans, eight lanes at a time. Each op is a small struct whose <c>Invoke</c> is the vector
/// form of <see cref="Elementwise.UnaryScalar"/>; the last partial vector goes through the same <c>Invoke</c> on a
/// padded copy, so an element's result does not depend on where it sits in the row. <c>y</c> may be <c>x</c> itself.
/// </summary>
internal static class UnaryKernels
{
    /// <summary>Cost of one element relative to an add, on the vector path.</summary>
    public static int Cost(UnaryOp op) => op switch
    {
        UnaryOp.Exp or UnaryOp.Log or UnaryOp.Sigmoid or UnaryOp.Tanh => 4,
        UnaryOp.Softplus or UnaryOp.Gelu or UnaryOp.GeluDerivative => 8,
        UnaryOp.Pow => 16,
        _ => 1,
    };

    /// <summary>Cost of one element relative to an add, on the scalar (strided) path.</summary>
    public static int ScalarCost(UnaryOp op) => op switch
    {
        UnaryOp.Affine or UnaryOp.Abs or UnaryOp.Relu or UnaryOp.Square or UnaryOp.Clamp or UnaryOp.Sign
            or UnaryOp.LeakyRelu or UnaryOp.Reciprocal or UnaryOp.Sqrt or UnaryOp.Rsqrt => 2,
        _ => 16,
    };

    /// <summary><c>y[i] = op(x[i]; a, b)</c>. Shape: x and y of equal length.</summary>
    public static void Apply(UnaryOp op, ReadOnlySpan<float> x, Span<float> y, float a, float b)
    {
        if (!Vector256.IsHardwareAccelerated || op == UnaryOp.Pow)
        {
            // MathF.Pow has no vector counterpart with the same special cases (negative bases, integer exponents).
            for (int i = 0; i < x.Length; i++) y[i] = Elementwise.UnaryScalar(op, x[i], a, b);
            return;
        }
        switch (op)
        {
            case UnaryOp.Affine: Map(x, y, new Affine(a, b)); break;
            case UnaryOp.Exp: Map(x, y, new Exp()); break;
            case UnaryOp.Log: Map(x, y, new Log()); break;
            case UnaryOp.Sqrt: Map(x, y, new Sqrt()); break;
            case UnaryOp.Rsqrt: Map(x, y, new Rsqrt()); break;
            case UnaryOp.Abs: Map(x, y, new Abs()); break;
            case UnaryOp.Sign: Map(x, y, new Sign()); break;
            case UnaryOp.Reciprocal: Map(x, y, new Reciprocal(a)); break;
            case UnaryOp.Clamp: Map(x, y, new Clamp(a, b)); break;
            case UnaryOp.Relu: Map(x, y, new Relu()); break;
            case UnaryOp.LeakyRelu: Map(x, y, new LeakyRelu(a)); break;
            case UnaryOp.Sigmoid: Map(x, y, new Sigmoid()); break;
            case UnaryOp.Tanh: Map(x, y, new Tanh()); break;
            case UnaryOp.Gelu: Map(x, y, new Gelu()); break;
            case UnaryOp.GeluDerivative: Map(x, y, new GeluDerivative()); break;
            case UnaryOp.Softplus: Map(x, y, new Softplus()); break;
            case UnaryOp.Square: Map(x, y, new Square()); break;
            default: throw new NotSupportedException($"Unary op {op} has no CPU kernel.");
        }
    }

    /// <summary>A unary op on eight lanes.</summary>
    internal interface IVectorOp
    {
        /// <summary>The op applied to each lane.</summary>
        Vector256<float> Invoke(Vector256<float> x);
    }

    /// <summary>Applies <paramref name="op"/> to every element of <paramref name="x"/>, writing <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y, TOp op) where TOp : struct, IVectorOp
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        for (; i <= n - 16; i += 16)
        {
            var v0 = op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i));
            var v1 = op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i + 8));
            v0.StoreUnsafe(ref yr, (nuint)i);
            v1.StoreUnsafe(ref yr, (nuint)i + 8);
        }
        for (; i <= n - 8; i += 8)
            op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        if (i < n)
        {
            Span<float> tail = stackalloc float[8];
            tail.Clear();
            x[i..].CopyTo(tail);
            op.Invoke(Vector256.Create<float>(tail)).CopyTo(tail);
            tail[..(n - i)].CopyTo(y[i..]);
        }
    }

    private readonly struct Affine(float a, float b) : IVectorOp
    {
        // a * x + b rounded twice, as the scalar definition.
        public Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(a) * x + Vector256.Create(b);
    }

    private readonly struct Exp : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x);
    }

    private readonly struct Log : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Log(x);
    }

    private readonly struct Sqrt : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    }

    private readonly struct Rsqrt : IVectorOp
    {
        // A true division, not the hardware estimate: the scalar definition is 1 / sqrt(x).
        public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / Vector256.Sqrt(x);
    }

    private readonly struct Abs : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    }

    private readonly struct Sign : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x)
        {
            var one = Vector256<float>.One;
            var s = (Vector256.GreaterThan(x, Vector256<float>.Zero) & one) - (Vector256.LessThan(x, Vector256<float>.Zero) & one);
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), s, x);
        }
    }

    private readonly struct Reciprocal(float a) : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(a) / x;
    }

    private readonly struct Clamp(float a, float b) : IVectorOp
    {
        // Vector256.Min/Max follow IEEE 754-2019 (NaN propagates) exactly as MathF.Min/Max do.
        public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(a)), Vector256.Create(b));
    }

    private readonly struct Relu : IVectorOp
    {
        // x > 0 ? x : 0, so NaN maps to 0 as in the scalar definition.
        public Vector256<float> Invoke(Vector256<float> x) => x & Vector256.GreaterThan(x, Vector256<float>.Zero);
    }

    private readonly struct LeakyRelu(float a) : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256.Create(a) * x);
    }

    private readonly struct Sigmoid : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Sigmoid(x);
    }

    private readonly struct Tanh : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
    }

    private readonly struct Gelu : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Gelu(x);
    }

    private readonly struct GeluDerivative : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.GeluDerivative(x);
    }

    private readonly struct Softplus : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Softplus(x);
    }

    private readonly struct Square : IVectorOp
    {
        public Vector256<float> Invoke(Vector256<float> x) => x * x;
    }
}
