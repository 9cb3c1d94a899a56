using ILGPU.Algorithms;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// The scalar definitions of the elementwise ops as kernels evaluate them. They mirror the CPU backend's
/// definitions formula for formula; the transcendental functions come from <see cref="XMath"/>, which maps to the
/// hardware's instructions on a GPU and to <see cref="MathF"/> on ILGPU's CPU accelerator.
/// </summary>
internal static class DeviceMath
{
    public static float Unary(int op, float x, float a, float b)
    {
        switch ((UnaryOp)op)
        {
            case UnaryOp.Affine: return a * x + b;
            case UnaryOp.Exp: return XMath.Exp(x);
            case UnaryOp.Log: return XMath.Log(x);
            case UnaryOp.Sqrt: return XMath.Sqrt(x);
            case UnaryOp.Rsqrt: return 1f / XMath.Sqrt(x);
            case UnaryOp.Abs: return XMath.Abs(x);
            case UnaryOp.Sign: return x > 0f ? 1f : x < 0f ? -1f : x;
            case UnaryOp.Pow: return XMath.Pow(x, a);
            case UnaryOp.Reciprocal: return a / x;
            case UnaryOp.Clamp: return Min(Max(x, a), b);
            case UnaryOp.Relu: return x > 0f ? x : 0f;
            case UnaryOp.LeakyRelu: return x > 0f ? x : a * x;
            case UnaryOp.Sigmoid: return Sigmoid(x);
            case UnaryOp.Tanh: return XMath.Tanh(x);
            case UnaryOp.Gelu: return 0.5f * x * (1f + Erf(x * 0.70710678f));
            case UnaryOp.GeluDerivative: return 0.5f * (1f + Erf(x * 0.70710678f)) + x * 0.39894228f * XMath.Exp(-0.5f * x * x);
            case UnaryOp.Softplus: return x > 20f ? x : x < -20f ? XMath.Exp(x) : XMath.Log(1f + XMath.Exp(x));
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
            case BinaryOp.Pow: return XMath.Pow(a, b);
            case BinaryOp.Maximum: return Max(a, b);
            case BinaryOp.Minimum: return Min(a, b);
            case BinaryOp.Equal: return a == b ? 1f : 0f;
            case BinaryOp.NotEqual: return a != b ? 1f : 0f;
            case BinaryOp.Less: return a < b ? 1f : 0f;
            case BinaryOp.LessEqual: return a <= b ? 1f : 0f;
            case BinaryOp.Greater: return a > b ? 1f : 0f;
            case BinaryOp.GreaterEqual: return a >= b ? 1f : 0f;
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

    public static float Sigmoid(float x) =>
        x >= 0f ? 1f / (1f + XMath.Exp(-x)) : XMath.Exp(x) / (1f + XMath.Exp(x));

    /// <summary>
    /// The Numerical Recipes Chebyshev fit of erfc (fractional error below 1.2e-7), evaluated in float; the CPU
    /// evaluates the same fit in double, so the two agree to a few float ulps.
    /// </summary>
    public static float Erf(float x)
    {
        float z = XMath.Abs(x);
        float t = 1f / (1f + 0.5f * z);
        float r = t * XMath.Exp(-z * z - 1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f +
                  t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f +
                  t * (-0.82215223f + t * 0.17087277f)))))))));
        return x >= 0f ? 1f - r : r - 1f;
    }
}
