using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>
/// The meaning of every unary and binary op, written plainly in double precision, plus the tolerance each op is
/// held to. Kernels on every backend are compared against these.
/// </summary>
public static class ElementwiseReference
{
    /// <summary>Every unary op with the scalar parameters the tests use for it.</summary>
    public static IEnumerable<(UnaryOp Op, float A, float B)> UnaryCases()
    {
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            yield return op switch
            {
                UnaryOp.Affine => (op, -1.5f, 0.25f),
                UnaryOp.Pow => (op, 3f, 0f),
                UnaryOp.Reciprocal => (op, 2f, 0f),
                UnaryOp.Clamp => (op, -0.3f, 0.6f),
                UnaryOp.LeakyRelu => (op, 0.1f, 0f),
                _ => (op, 0f, 0f),
            };
        }
        yield return (UnaryOp.Pow, 0.5f, 0f);
        yield return (UnaryOp.Pow, -2f, 0f);
    }

    /// <summary><c>op(x; a, b)</c>.</summary>
    public static double Unary(UnaryOp op, double x, double a, double b) => op switch
    {
        UnaryOp.Affine => a * x + b,
        UnaryOp.Exp => Math.Exp(x),
        UnaryOp.Log => Math.Log(x),
        UnaryOp.Sqrt => Math.Sqrt(x),
        UnaryOp.Rsqrt => 1 / Math.Sqrt(x),
        UnaryOp.Abs => Math.Abs(x),
        UnaryOp.Sign => double.IsNaN(x) ? x : Math.Sign(x),
        UnaryOp.Pow => Math.Pow(x, a),
        UnaryOp.Reciprocal => a / x,
        UnaryOp.Clamp => double.IsNaN(x) ? x : Math.Min(Math.Max(x, a), b),
        UnaryOp.Relu => x > 0 ? x : 0,
        UnaryOp.LeakyRelu => x > 0 ? x : a * x,
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-x)),
        UnaryOp.Tanh => Math.Tanh(x),
        UnaryOp.Gelu => double.IsNegativeInfinity(x) ? 0 : x * NormalCdf(x),
        UnaryOp.GeluDerivative => double.IsInfinity(x) ? (x > 0 ? 1 : 0) : NormalCdf(x) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI),
        UnaryOp.Softplus => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x))),
        UnaryOp.Square => x * x,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary><c>op(a, b)</c>; comparisons give 1 or 0.</summary>
    public static double Binary(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => Math.Pow(a, b),
        BinaryOp.Maximum => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b),
        BinaryOp.Minimum => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b),
        BinaryOp.Equal => a == b ? 1 : 0,
        BinaryOp.NotEqual => a != b ? 1 : 0,
        BinaryOp.Less => a < b ? 1 : 0,
        BinaryOp.LessEqual => a <= b ? 1 : 0,
        BinaryOp.Greater => a > b ? 1 : 0,
        BinaryOp.GreaterEqual => a >= b ? 1 : 0,
        BinaryOp.WherePositive => b > 0 ? a : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Absolute and relative tolerance for a unary op's float result against the double reference.</summary>
    public static (float Atol, float Rtol) Tolerance(UnaryOp op) => op switch
    {
        UnaryOp.Affine or UnaryOp.Abs or UnaryOp.Sign or UnaryOp.Relu or UnaryOp.LeakyRelu or UnaryOp.Clamp
            or UnaryOp.Square or UnaryOp.Sqrt or UnaryOp.Rsqrt or UnaryOp.Reciprocal => (1e-6f, 2e-7f),
        // The Numerical Recipes erfc fit is good to 1.2e-7 relative; GELU carries it.
        UnaryOp.Gelu or UnaryOp.GeluDerivative => (2e-7f, 4e-7f),
        _ => (1e-30f, 4e-7f),
    };

    /// <summary>The normal CDF from <see cref="Erf"/>, in the tail from the complementary series.</summary>
    public static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>
    /// erf in double from the series <c>erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1))</c>, whose terms are
    /// all positive (no cancellation); beyond |x| = 6 erf is +-1 to double precision.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 6) return Math.Sign(x);
        double term = ax, sum = ax;
        for (int n = 1; n < 400 && term > 1e-17 * sum; n++)
        {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
        }
        double r = 2 / Math.Sqrt(Math.PI) * Math.Exp(-ax * ax) * sum;
        return x < 0 ? -r : r;
    }

    /// <summary>ln(1 + u) without losing small u.</summary>
    public static double Log1p(double u) => Math.Abs(u) < 1e-4 ? u - u * u / 2 + u * u * u / 3 : Math.Log(1 + u);

    /// <summary>Applies <see cref="Unary"/> to each element and rounds to float.</summary>
    public static float[] Unary(UnaryOp op, float[] x, float a, float b) =>
        x.Select(v => (float)Unary(op, v, a, b)).ToArray();

    /// <summary>
    /// <see cref="TensorAssert.Close(float[], float[], float, float)"/> with <paramref name="context"/> (op, view, shape)
    /// named in the failure message, so one test can sweep many cases.
    /// </summary>
    public static void AssertClose(string context, float[] expected, Tensor actual, float atol, float rtol, int[]? shape = null)
    {
        if (shape != null) Assert.That(actual.Shape.ToArray(), Is.EqualTo(shape), $"{context}: shape");
        var got = actual.ToArray();
        Assert.That(got, Has.Length.EqualTo(expected.Length), $"{context}: element count");
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = got[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            bool ok = float.IsInfinity(e) || float.IsInfinity(a) ? e == a : MathF.Abs(a - e) <= atol + rtol * MathF.Abs(e);
            if (!ok) Assert.Fail($"{context}: element {i}: expected {e:R}, got {a:R}");
        }
    }
}
