using System.Runtime.CompilerServices;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Elementwise kernels: copy, fill, unary and binary functions and where, over strided views. The views are merged
/// into rows (<see cref="ElementwiseLoop"/>); rows whose operands all have unit stride (or stride 0: a broadcast
/// scalar or row) go to the SIMD kernels of <see cref="UnaryKernels"/> and <see cref="BinaryKernels"/>, other rows
/// to the scalar definitions below, which are the reference every vector path must agree with.
/// </summary>
internal static class Elementwise
{
    public static void Copy(Tensor source, Tensor destination)
    {
        var loop = ElementwiseLoop.Create(destination, source);
        float[] y = loop.Data(0), x = loop.Data(1);
        int sy = loop.InnerStride(0), sx = loop.InnerStride(1);
        if (TransposeCopy.Applies(loop))
        {
            TransposeCopy.Run(loop, x, y);
            return;
        }
        loop.Run(1, (o, n) =>
        {
            if (sx == 1 && sy == 1) x.AsSpan(o[1], n).CopyTo(y.AsSpan(o[0], n));
            else if (sx == 0 && sy == 1) y.AsSpan(o[0], n).Fill(x[o[1]]);
            else for (int i = 0; i < n; i++) y[o[0] + i * sy] = x[o[1] + i * sx];
        });
    }

    public static void Fill(Tensor destination, float value)
    {
        var loop = ElementwiseLoop.Create(destination);
        float[] y = loop.Data(0);
        int sy = loop.InnerStride(0);
        loop.Run(1, (o, n) =>
        {
            if (sy == 1) y.AsSpan(o[0], n).Fill(value);
            else for (int i = 0; i < n; i++) y[o[0] + i * sy] = value;
        });
    }

    public static void Unary(UnaryOp op, Tensor input, Tensor output, float a, float b)
    {
        var loop = ElementwiseLoop.Create(output, input);
        float[] y = loop.Data(0), x = loop.Data(1);
        int sy = loop.InnerStride(0), sx = loop.InnerStride(1);
        bool vector = sy == 1 && sx == 1;
        loop.Run(vector ? UnaryKernels.Cost(op) : UnaryKernels.ScalarCost(op), (o, n) =>
        {
            if (vector) UnaryKernels.Apply(op, x.AsSpan(o[1], n), y.AsSpan(o[0], n), a, b);
            else if (sx == 0 && sy == 1) y.AsSpan(o[0], n).Fill(UnaryScalar(op, x[o[1]], a, b));
            else for (int i = 0; i < n; i++) y[o[0] + i * sy] = UnaryScalar(op, x[o[1] + i * sx], a, b);
        });
    }

    public static void Binary(BinaryOp op, Tensor left, Tensor right, Tensor output)
    {
        var loop = ElementwiseLoop.Create(output, left, right);
        float[] y = loop.Data(0), a = loop.Data(1), b = loop.Data(2);
        int sy = loop.InnerStride(0), sa = loop.InnerStride(1), sb = loop.InnerStride(2);
        bool vector = sy == 1 && (sa is 0 or 1) && (sb is 0 or 1);
        loop.Run(BinaryKernels.Cost(op), (o, n) =>
        {
            if (!vector)
            {
                for (int i = 0; i < n; i++) y[o[0] + i * sy] = BinaryScalar(op, a[o[1] + i * sa], b[o[2] + i * sb]);
                return;
            }
            var ys = y.AsSpan(o[0], n);
            if (sa == 1 && sb == 1) BinaryKernels.Apply(op, a.AsSpan(o[1], n), b.AsSpan(o[2], n), ys);
            else if (sa == 1) BinaryKernels.Apply(op, a.AsSpan(o[1], n), b[o[2]], ys);
            else if (sb == 1) BinaryKernels.Apply(op, a[o[1]], b.AsSpan(o[2], n), ys);
            else ys.Fill(BinaryScalar(op, a[o[1]], b[o[2]]));
        });
    }

    public static void Where(Tensor condition, Tensor left, Tensor right, Tensor output)
    {
        var loop = ElementwiseLoop.Create(output, condition, left, right);
        float[] y = loop.Data(0), c = loop.Data(1), a = loop.Data(2), b = loop.Data(3);
        int sy = loop.InnerStride(0), sc = loop.InnerStride(1), sa = loop.InnerStride(2), sb = loop.InnerStride(3);
        bool vector = sy == 1 && (sc is 0 or 1) && (sa is 0 or 1) && (sb is 0 or 1);
        loop.Run(1, (o, n) =>
        {
            if (vector)
            {
                BinaryKernels.Where(c, o[1], sc == 0, a, o[2], sa == 0, b, o[3], sb == 0, y.AsSpan(o[0], n));
                return;
            }
            for (int i = 0; i < n; i++)
                y[o[0] + i * sy] = c[o[1] + i * sc] != 0 ? a[o[2] + i * sa] : b[o[3] + i * sb];
        });
    }

    /// <summary>The scalar definition of every unary op; vectorised paths must agree with it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float UnaryScalar(UnaryOp op, float x, float a, float b) => op switch
    {
        UnaryOp.Affine => a * x + b,
        UnaryOp.Exp => MathF.Exp(x),
        UnaryOp.Log => MathF.Log(x),
        UnaryOp.Sqrt => MathF.Sqrt(x),
        UnaryOp.Rsqrt => 1f / MathF.Sqrt(x),
        UnaryOp.Abs => MathF.Abs(x),
        UnaryOp.Sign => float.IsNaN(x) ? x : MathF.Sign(x),
        UnaryOp.Pow => MathF.Pow(x, a),
        UnaryOp.Reciprocal => a / x,
        UnaryOp.Clamp => MathF.Min(MathF.Max(x, a), b),
        UnaryOp.Relu => x > 0 ? x : 0f,
        UnaryOp.LeakyRelu => x > 0 ? x : a * x,
        UnaryOp.Sigmoid => Sigmoid(x),
        UnaryOp.Tanh => MathF.Tanh(x),
        UnaryOp.Gelu => Gelu(x),
        UnaryOp.GeluDerivative => GeluDerivative(x),
        UnaryOp.Softplus => x > 20f ? x : x < -20f ? MathF.Exp(x) : (float)Math.Log(1.0 + Math.Exp(x)),
        UnaryOp.Square => x * x,
        _ => throw new NotSupportedException($"Unary op {op} has no CPU kernel."),
    };

    /// <summary>The scalar definition of every binary op.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BinaryScalar(BinaryOp op, float a, float b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => MathF.Pow(a, b),
        BinaryOp.Maximum => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : MathF.Max(a, b),
        BinaryOp.Minimum => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : MathF.Min(a, b),
        BinaryOp.Equal => a == b ? 1f : 0f,
        BinaryOp.NotEqual => a != b ? 1f : 0f,
        BinaryOp.Less => a < b ? 1f : 0f,
        BinaryOp.LessEqual => a <= b ? 1f : 0f,
        BinaryOp.Greater => a > b ? 1f : 0f,
        BinaryOp.GreaterEqual => a >= b ? 1f : 0f,
        BinaryOp.WherePositive => b > 0f ? a : 0f,
        _ => throw new NotSupportedException($"Binary op {op} has no CPU kernel."),
    };

    /// <summary>The logistic function, evaluated in double so that neither tail overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => (float)(1.0 / (1.0 + Math.Exp(-(double)x)));

    /// <summary>Exact GELU <c>x * Phi(x)</c>; 0 where Phi underflows, so GELU(-inf) = 0 rather than NaN.</summary>
    public static float Gelu(float x)
    {
        double cdf = NormalCdf(x);
        return cdf == 0 ? 0f : (float)(x * cdf);
    }

    /// <summary><c>Phi(x) + x * phi(x)</c>, the derivative of exact GELU; 1 at +inf and 0 at -inf.</summary>
    public static float GeluDerivative(float x)
    {
        double pdf = 0.39894228040143267794 * Math.Exp(-0.5 * x * (double)x);
        return (float)(NormalCdf(x) + (pdf == 0 ? 0 : x * pdf));
    }

    /// <summary>The error function, to within 1.5e-7 absolute (see <see cref="ErfcOfNonNegative"/>).</summary>
    public static float Erf(float x)
    {
        double r = ErfcOfNonNegative(Math.Abs((double)x));
        return (float)(x >= 0 ? 1.0 - r : r - 1.0);
    }

    /// <summary>The standard normal CDF <c>Phi(x) = erfc(-x / sqrt 2) / 2</c>, with relative accuracy kept in the lower tail.</summary>
    internal static double NormalCdf(double x)
    {
        double r = 0.5 * ErfcOfNonNegative(Math.Abs(x) * 0.70710678118654752440);
        return x >= 0 ? 1.0 - r : r;
    }

    /// <summary>
    /// <c>erfc(z)</c> for <c>z &gt;= 0</c>: the Chebyshev fit of Numerical Recipes (section 6.2), fractional error below
    /// 1.2e-7 for every z, evaluated in double. <see cref="VectorMath"/> evaluates the same formula on vectors.
    /// </summary>
    internal static double ErfcOfNonNegative(double z)
    {
        double t = 1.0 / (1.0 + 0.5 * z);
        double p = 0.17087277;
        p = p * t - 0.82215223;
        p = p * t + 1.48851587;
        p = p * t - 1.13520398;
        p = p * t + 0.27886807;
        p = p * t - 0.18628806;
        p = p * t + 0.09678418;
        p = p * t + 0.37409196;
        p = p * t + 1.00002368;
        p = p * t - 1.26551223;
        return t * Math.Exp(p - z * z);
    }
}
