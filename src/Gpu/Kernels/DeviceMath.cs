using ILGPU.Algorithms;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// The scalar definitions of the elementwise ops as kernels evaluate them. They mirror the CPU backend's
/// definitions formula for formula, including where the CPU works in double (sigmoid, GELU and its derivative,
/// softplus). exp and log come from <see cref="FloatMath"/>, tanh, pow and the double-precision functions from
/// <see cref="DoubleMath"/>: accurate implementations written here, because XMath's float functions are the GPU's
/// approximate instructions and its double ones are slow. Only sqrt and abs come from <see cref="XMath"/>
/// (exact on every target).
/// </summary>
internal static class DeviceMath
{
    public static float Unary(int op, float x, float a, float b)
    {
        switch ((UnaryOp)op)
        {
            case UnaryOp.Affine: return a * x + b;
            case UnaryOp.Exp: return FloatMath.Exp(x);
            case UnaryOp.Log: return FloatMath.Log(x);
            case UnaryOp.Sqrt: return XMath.Sqrt(x);
            case UnaryOp.Rsqrt: return 1f / XMath.Sqrt(x);
            case UnaryOp.Abs: return XMath.Abs(x);
            case UnaryOp.Sign: return x > 0f ? 1f : x < 0f ? -1f : IsNaN(x) ? x : 0f;
            case UnaryOp.Pow: return (float)DoubleMath.Pow(x, a);
            case UnaryOp.Reciprocal: return a / x;
            case UnaryOp.Clamp: return Min(Max(x, a), b);
            case UnaryOp.Relu: return x > 0f ? x : 0f;
            case UnaryOp.LeakyRelu: return x > 0f ? x : a * x;
            case UnaryOp.Sigmoid: return Sigmoid(x);
            case UnaryOp.Tanh: return (float)DoubleMath.Tanh(x);
            case UnaryOp.Gelu: return Gelu(x);
            case UnaryOp.GeluDerivative: return GeluDerivative(x);
            case UnaryOp.Softplus: return x > 20f ? x : x < -20f ? FloatMath.Exp(x) : (float)DoubleMath.Log(1.0 + DoubleMath.Exp(x));
            case UnaryOp.Square: return x * x;
            default: return float.NaN;
        }
    }

    public static float Binary(int op, float a, float b)
    {
        switch ((BinaryOp)op)
        {
            case BinaryOp.Add: return a + b;
            case BinaryOp.Sub: return a - b;
            case BinaryOp.Mul: return a * b;
            case BinaryOp.Div: return a / b;
            case BinaryOp.Pow: return (float)DoubleMath.Pow(a, b);
            case BinaryOp.Maximum: return Max(a, b);
            case BinaryOp.Minimum: return Min(a, b);
            case BinaryOp.Equal: return a == b ? 1f : 0f;
            case BinaryOp.NotEqual: return a != b ? 1f : 0f;
            case BinaryOp.Less: return a < b ? 1f : 0f;
            case BinaryOp.LessEqual: return a <= b ? 1f : 0f;
            case BinaryOp.Greater: return a > b ? 1f : 0f;
            case BinaryOp.GreaterEqual: return a >= b ? 1f : 0f;
            case BinaryOp.WherePositive: return b > 0f ? a : 0f;
            default: return float.NaN;
        }
    }

    // NaN is the only value unequal to itself; written out so that no library call reaches the kernel.
#pragma warning disable CS1718 // Comparison made to same variable
    public static bool IsNaN(float x) => x != x;
#pragma warning restore CS1718

    /// <summary>Larger of two values; NaN if either is NaN, as <see cref="MathF.Max(float, float)"/>.</summary>
    public static float Max(float a, float b) => IsNaN(a) || IsNaN(b) ? float.NaN : a >= b ? a : b;

    /// <summary>Smaller of two values; NaN if either is NaN.</summary>
    public static float Min(float a, float b) => IsNaN(a) || IsNaN(b) ? float.NaN : a <= b ? a : b;

    /// <summary>The logistic function in double, so that neither tail overflows (as the CPU evaluates it).</summary>
    public static float Sigmoid(float x) => (float)(1.0 / (1.0 + DoubleMath.Exp(-(double)x)));

    /// <summary>Exact GELU <c>x * Phi(x)</c>; 0 where Phi underflows, so GELU(-inf) = 0 rather than NaN.</summary>
    public static float Gelu(float x)
    {
        double cdf = NormalCdf(x);
        return cdf == 0.0 ? 0f : (float)(x * cdf);
    }

    /// <summary><c>Phi(x) + x * phi(x)</c>, the derivative of exact GELU; 1 at +inf and 0 at -inf.</summary>
    public static float GeluDerivative(float x)
    {
        double pdf = 0.39894228040143267794 * DoubleMath.Exp(-0.5 * x * (double)x);
        return (float)(NormalCdf(x) + (pdf == 0.0 ? 0.0 : x * pdf));
    }

    /// <summary>The standard normal CDF <c>erfc(-x / sqrt 2) / 2</c>, accurate in the lower tail.</summary>
    public static double NormalCdf(double x)
    {
        double r = 0.5 * ErfcOfNonNegative(XMath.Abs(x) * 0.70710678118654752440);
        return x >= 0.0 ? 1.0 - r : r;
    }

    /// <summary>
    /// <c>erfc(z)</c> for <c>z &gt;= 0</c> from the Chebyshev fit of Numerical Recipes (section 6.2; fractional error
    /// below 1.2e-7), evaluated in double like the CPU backend's, so both agree to the last float bit or two.
    /// </summary>
    public static double ErfcOfNonNegative(double z)
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
        return t * DoubleMath.Exp(p - z * z);
    }
}
