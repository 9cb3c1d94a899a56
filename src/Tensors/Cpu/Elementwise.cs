using System.Runtime.CompilerServices;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Elementwise kernels: copy, fill, unary and binary functions and where, over strided views. Each op is
/// applied row by row after merging dimensions, so contiguous tensors are one long row.
/// </summary>
internal static class Elementwise
{
    public static void Copy(Tensor source, Tensor destination) =>
        Unary(UnaryOp.Affine, source, destination, 1f, 0f);

    public static void Fill(Tensor destination, float value)
    {
        var y = StridedView.Of(destination);
        var (sizes, strides) = StridedView.Coalesce(y.Sizes, y.Strides);
        int n = sizes[^1], sy = strides[0][^1];
        CpuParallel.For(StridedView.RowCount(sizes), n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int oy = StridedView.RowOffset(r, sizes, strides[0], y.Offset);
                if (sy == 1) y.Data.AsSpan(oy, n).Fill(value);
                else for (int i = 0; i < n; i++) y.Data[oy + i * sy] = value;
            }
        });
    }

    public static void Unary(UnaryOp op, Tensor input, Tensor output, float a, float b)
    {
        var x = StridedView.Of(input);
        var y = StridedView.Of(output);
        var (sizes, strides) = StridedView.Coalesce(x.Sizes, x.Strides, y.Strides);
        int n = sizes[^1], sx = strides[0][^1], sy = strides[1][^1];
        CpuParallel.For(StridedView.RowCount(sizes), n * UnaryCost(op), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int ox = StridedView.RowOffset(r, sizes, strides[0], x.Offset);
                int oy = StridedView.RowOffset(r, sizes, strides[1], y.Offset);
                for (int i = 0; i < n; i++)
                    y.Data[oy + i * sy] = UnaryScalar(op, x.Data[ox + i * sx], a, b);
            }
        });
    }

    public static void Binary(BinaryOp op, Tensor left, Tensor right, Tensor output)
    {
        var a = StridedView.Of(left);
        var b = StridedView.Of(right);
        var y = StridedView.Of(output);
        var (sizes, strides) = StridedView.Coalesce(y.Sizes, a.Strides, b.Strides, y.Strides);
        int n = sizes[^1], sa = strides[0][^1], sb = strides[1][^1], sy = strides[2][^1];
        CpuParallel.For(StridedView.RowCount(sizes), n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int oa = StridedView.RowOffset(r, sizes, strides[0], a.Offset);
                int ob = StridedView.RowOffset(r, sizes, strides[1], b.Offset);
                int oy = StridedView.RowOffset(r, sizes, strides[2], y.Offset);
                for (int i = 0; i < n; i++)
                    y.Data[oy + i * sy] = BinaryScalar(op, a.Data[oa + i * sa], b.Data[ob + i * sb]);
            }
        });
    }

    public static void Where(Tensor condition, Tensor left, Tensor right, Tensor output)
    {
        var c = StridedView.Of(condition);
        var a = StridedView.Of(left);
        var b = StridedView.Of(right);
        var y = StridedView.Of(output);
        var (sizes, strides) = StridedView.Coalesce(y.Sizes, c.Strides, a.Strides, b.Strides, y.Strides);
        int n = sizes[^1];
        CpuParallel.For(StridedView.RowCount(sizes), n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int oc = StridedView.RowOffset(r, sizes, strides[0], c.Offset);
                int oa = StridedView.RowOffset(r, sizes, strides[1], a.Offset);
                int ob = StridedView.RowOffset(r, sizes, strides[2], b.Offset);
                int oy = StridedView.RowOffset(r, sizes, strides[3], y.Offset);
                for (int i = 0; i < n; i++)
                    y.Data[oy + i * strides[3][^1]] = c.Data[oc + i * strides[0][^1]] != 0
                        ? a.Data[oa + i * strides[1][^1]]
                        : b.Data[ob + i * strides[2][^1]];
            }
        });
    }

    private static long UnaryCost(UnaryOp op) => op switch
    {
        UnaryOp.Affine or UnaryOp.Abs or UnaryOp.Relu or UnaryOp.Square or UnaryOp.Clamp or UnaryOp.Sign or UnaryOp.LeakyRelu => 1,
        _ => 8,
    };

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
        UnaryOp.Gelu => 0.5f * x * (1f + Erf(x * 0.70710678f)),
        UnaryOp.GeluDerivative => 0.5f * (1f + Erf(x * 0.70710678f)) + x * 0.39894228f * MathF.Exp(-0.5f * x * x),
        UnaryOp.Softplus => x > 20f ? x : x < -20f ? MathF.Exp(x) : MathF.Log(1f + MathF.Exp(x)),
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
        _ => throw new NotSupportedException($"Binary op {op} has no CPU kernel."),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));

    /// <summary>Error function from the Chebyshev fit of erfc in Numerical Recipes (fractional error below 1.2e-7).</summary>
    public static float Erf(float x)
    {
        // Computed in double through the complementary function to keep float32 accuracy over the whole range.
        double z = Math.Abs((double)x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                   t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                   t * (-0.82215223 + t * 0.17087277)))))))));
        return (float)(x >= 0 ? 1.0 - r : r - 1.0);
    }
}
