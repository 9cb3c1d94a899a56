using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Transcendental functions on eight float lanes, each agreeing with the scalar definition in
/// <see cref="Elementwise"/> to within a few ulps. Exp is written here (Cody-Waite reduction and a degree-7 Taylor
/// polynomial, within one ulp of the correctly rounded result and exact at 0) rather than taken from the runtime,
/// whose float exp returns 1.0000001 for exp(0) and whose tanh gives -6e-8 for tanh(0). GELU and its derivative are
/// evaluated in double, as their scalar definitions are.
/// </summary>
internal static class VectorMath
{
    private const float Log2E = 1.44269504f;
    // ln 2 split so that n * Ln2Hi is exact for every |n| below 2^15 (Cody and Waite).
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const double Sqrt1Over2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary><c>exp(x)</c>, within one ulp; overflows to +inf above 88.72 and underflows through the subnormals to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // Beyond these bounds the result is inf or 0 anyway; clamping keeps 2^n representable in two factors.
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-104f)), Vector256.Create(89f));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Reduce(x, n);
        // exp(r) = 1 + r * series(r), with a single rounding in the last step.
        var p = Vector256.MultiplyAddEstimate(Series(r), r, Vector256<float>.One);
        // 2^n as two factors 2^(n/2) and 2^(n - n/2), each a normal float for n in [-150, 128].
        var ni = Vector256.ConvertToInt32(n);
        var n1 = ni >> 1;
        return p * PowerOfTwo(n1) * PowerOfTwo(ni - n1);
    }

    /// <summary><c>exp(x) - 1</c> for <c>x</c> in [-18, 0], accurate to a few ulps even where the result is tiny.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpMinusOneOfNonPositive(Vector256<float> x)
    {
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Reduce(x, n);
        var q = Series(r) * r;
        // exp(x) - 1 = 2^n q + (2^n - 1); 2^n - 1 is exact for n in [-24, 0].
        var s = PowerOfTwo(Vector256.ConvertToInt32(n));
        return Vector256.MultiplyAddEstimate(s, q, s - Vector256<float>.One);
    }

    // r = x - n ln2, |r| <= ln2 / 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduce(Vector256<float> x, Vector256<float> n)
    {
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Hi), x);
        return Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Lo), r);
    }

    // (exp(r) - 1) / r by its Taylor series, 1 + r/2 + ... + r^6/7!; the first omitted term of exp is below 2.7e-9
    // relative for |r| <= ln2 / 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Series(Vector256<float> r)
    {
        var p = Vector256.Create(1f / 5040);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 720));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 120));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 24));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 6));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(0.5f));
        return Vector256.MultiplyAddEstimate(p, r, Vector256<float>.One);
    }

    // 2^n for n in [-126, 127], built from its exponent bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> PowerOfTwo(Vector256<int> n) => ((n + Vector256.Create(127)) << 23).AsSingle();

    /// <summary><c>ln(x)</c> from the runtime (within two ulps; 0 gives -inf, negatives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x) => Vector256.Log(x);

    /// <summary>The logistic function as <c>1 / (1 + e)</c> or <c>e / (1 + e)</c> with <c>e = exp(-|x|)</c>: no overflow in either tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var e = Exp(-Vector256.Abs(x));
        var numerator = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One, e);
        return numerator / (Vector256<float>.One + e);
    }

    /// <summary><c>tanh(x) = -u / (2 + u)</c> with <c>u = exp(-2|x|) - 1</c>, sign restored: accurate near 0 and exactly 0 at 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var sign = Vector256.Create(-0f);
        // tanh(9) rounds to 1 in float. Min propagates NaN.
        var ax = Vector256.Min(Vector256.Abs(x), Vector256.Create(9f));
        var u = ExpMinusOneOfNonPositive(Vector256.Create(-2f) * ax);
        var t = Vector256.Abs(u / (Vector256.Create(2f) + u));
        return t | (x & sign);
    }

    /// <summary>
    /// <c>ln(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))</c>, with log1p(u) as <c>ln(w) * u / (w - 1)</c>, <c>w = 1 + u</c>
    /// (exact where w rounds to 1), so neither tail loses digits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> x)
    {
        var u = Exp(-Vector256.Abs(x));
        var w = Vector256<float>.One + u;
        var d = w - Vector256<float>.One;
        var log1p = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), u, Log(w) * (u / d));
        return Vector256.Max(x, Vector256<float>.Zero) + log1p;
    }

    /// <summary>Exact GELU, <c>x * Phi(x)</c>; 0 where Phi underflows (so GELU(-inf) = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Gelu(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        return Vector256.Narrow(Gelu(lo), Gelu(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Gelu(Vector256<double> x)
    {
        var cdf = NormalCdf(x);
        return Vector256.ConditionalSelect(Vector256.Equals(cdf, Vector256<double>.Zero), Vector256<double>.Zero, x * cdf);
    }

    /// <summary>The derivative of exact GELU, <c>Phi(x) + x * phi(x)</c>; 1 at +inf, 0 at -inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GeluDerivative(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        return Vector256.Narrow(GeluDerivative(lo), GeluDerivative(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> GeluDerivative(Vector256<double> x)
    {
        var pdf = Vector256.Create(InvSqrt2Pi) * ExpOfNonPositive(Vector256.Create(-0.5) * x * x);
        var xPdf = Vector256.ConditionalSelect(Vector256.Equals(pdf, Vector256<double>.Zero), Vector256<double>.Zero, x * pdf);
        return NormalCdf(x) + xPdf;
    }

    /// <summary>The standard normal CDF, <c>Phi(x) = erfc(-x / sqrt 2) / 2</c>, as <see cref="Elementwise.NormalCdf"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> NormalCdf(Vector256<double> x)
    {
        var r = ErfcOfNonNegative(Vector256.Abs(x) * Vector256.Create(Sqrt1Over2)) * Vector256.Create(0.5);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero), Vector256<double>.One - r, r);
    }

    /// <summary><c>erfc(z)</c> for <c>z &gt;= 0</c>, the formula of <see cref="Elementwise.ErfcOfNonNegative"/> on four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ErfcOfNonNegative(Vector256<double> z)
    {
        var t = Vector256<double>.One / (Vector256<double>.One + Vector256.Create(0.5) * z);
        var p = Vector256.Create(0.17087277);
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(-0.82215223));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(1.48851587));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(-1.13520398));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(0.27886807));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(-0.18628806));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(0.09678418));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(0.37409196));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(1.00002368));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(-1.26551223));
        return t * ExpOfNonPositive(p - z * z);
    }

    /// <summary>
    /// <c>exp(x)</c> in double for <c>x &lt;= 0</c> (about 1e-11 relative, ample for a float result), 0 below -708
    /// where the result would be subnormal; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpOfNonPositive(Vector256<double> x)
    {
        var clamped = Vector256.Max(x, Vector256.Create(-708.0));
        // Adding 1.5 * 2^52 rounds x log2(e) to an integer n held in the low mantissa bits of t.
        var magic = Vector256.Create(6755399441055744.0);
        var t = Vector256.MultiplyAddEstimate(clamped, Vector256.Create(1.4426950408889634), magic);
        var n = t - magic;
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-0.6931471803691238), clamped);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-1.9082149292705877e-10), r);
        // Taylor series to r^9: the first omitted term is below 7e-12 relative, far below float resolution.
        var p = Vector256.Create(1.0 / 362880);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 40320));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 5040));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 720));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 120));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 24));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 6));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(0.5));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256<double>.One);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256<double>.One);
        // 2^n from the low 12 bits of t: (n + 1023) lands in the exponent field; valid for n in [-1022, 0].
        var scale = ((t.AsUInt64() + Vector256.Create(1023UL)) << 52).AsDouble();
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-708.0)), Vector256<double>.Zero, p * scale);
    }
}
