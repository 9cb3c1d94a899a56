using ILGPU;
using ILGPU.Algorithms;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// exp, log, tanh, cos and pow in double, for the ops the CPU backend evaluates in double (sigmoid, GELU, softplus)
/// and for float ops that must round the same way as the CPU's (tanh, pow, the cosine of normal random draws).
/// ILGPU's XMath implements double transcendentals with CORDIC iterations on a GPU (hundreds of instructions and
/// calls); these are range reduction plus a polynomial, a few dozen fp64 FMAs, accurate to about one double ulp,
/// so that after rounding to float they almost always give the CPU's bit pattern.
/// </summary>
internal static class DoubleMath
{
    // ln 2 and pi/2 split in two so that k times the high part is exact for the k that occur.
    private const double Ln2High = 6.93147180369123816490e-01, Ln2Low = 1.90821492927058770002e-10;
    private const double Log2E = 1.4426950408889634;
    private const double HalfPiHigh = 1.5707963267341256, HalfPiLow = 6.077100506506192e-11;

#pragma warning disable CS1718 // NaN is the only value unequal to itself
    public static bool IsNaN(double x) => x != x;
#pragma warning restore CS1718

    /// <summary>e^x: x = k ln2 + r with |r| &lt;= ln2 / 2, e^r by its Taylor polynomial to r^13 (error below 1e-17).</summary>
    public static double Exp(double x)
    {
        if (IsNaN(x)) return x;
        if (x > 709.782712893384) return double.PositiveInfinity;
        if (x < -745.1332191019412) return 0.0;
        double k = XMath.Floor(x * Log2E + 0.5);
        double r = x - k * Ln2High;
        r -= k * Ln2Low;
        double p = 1.0 / 6227020800.0;
        p = p * r + 1.0 / 479001600.0;
        p = p * r + 1.0 / 39916800.0;
        p = p * r + 1.0 / 3628800.0;
        p = p * r + 1.0 / 362880.0;
        p = p * r + 1.0 / 40320.0;
        p = p * r + 1.0 / 5040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        int e = (int)k, half = e / 2;
        return p * Pow2(half) * Pow2(e - half);
    }

    /// <summary>ln y: y = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh((m - 1) / (m + 1)) by its series to s^23.</summary>
    public static double Log(double y)
    {
        if (IsNaN(y) || y < 0.0) return double.NaN;
        if (y == 0.0) return double.NegativeInfinity;
        if (y == double.PositiveInfinity) return y;
        ulong bits = Interop.FloatAsInt(y);
        int e = (int)((bits >> 52) & 0x7FF);
        if (e == 0)
        {
            bits = Interop.FloatAsInt(y * 18014398509481984.0);   // 2^54
            e = (int)((bits >> 52) & 0x7FF) - 54;
        }
        e -= 1023;
        double m = Interop.IntAsFloat((bits & 0x000FFFFFFFFFFFFFUL) | 0x3FF0000000000000UL);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            e++;
        }
        double s = (m - 1.0) / (m + 1.0);
        double s2 = s * s;
        double t = 1.0 / 23.0;
        t = t * s2 + 1.0 / 21.0;
        t = t * s2 + 1.0 / 19.0;
        t = t * s2 + 1.0 / 17.0;
        t = t * s2 + 1.0 / 15.0;
        t = t * s2 + 1.0 / 13.0;
        t = t * s2 + 1.0 / 11.0;
        t = t * s2 + 1.0 / 9.0;
        t = t * s2 + 1.0 / 7.0;
        t = t * s2 + 1.0 / 5.0;
        t = t * s2 + 1.0 / 3.0;
        double lnM = 2.0 * s + 2.0 * s * (s2 * t);
        return e * Ln2High + (lnM + e * Ln2Low);
    }

    /// <summary>tanh from e^(2|x|); below 1e-5 its series x - x^3/3 avoids the cancellation.</summary>
    public static double Tanh(double x)
    {
        if (IsNaN(x)) return x;
        double ax = XMath.Abs(x);
        double t;
        if (ax > 22.0) t = 1.0;
        else if (ax < 1e-5) t = ax - ax * ax * ax / 3.0;
        else
        {
            double e = Exp(2.0 * ax);
            t = (e - 1.0) / (e + 1.0);
        }
        return x < 0.0 ? -t : t;
    }

    /// <summary>cos by reduction to |r| &lt;= pi/4 (quadrant from k = round(x / (pi/2))) and Taylor series; for |x| below 1e6.</summary>
    public static double Cos(double x)
    {
        if (IsNaN(x) || XMath.Abs(x) == double.PositiveInfinity) return double.NaN;
        double k = XMath.Floor(x * (2.0 / 3.141592653589793) + 0.5);
        double r = x - k * HalfPiHigh;
        r -= k * HalfPiLow;
        int quadrant = (int)k & 3;
        double r2 = r * r;
        double c = 1.0 / 479001600.0;           // 1/12!
        c = -c * r2 + 1.0 / 3628800.0;
        c = -c * r2 + 1.0 / 40320.0;
        c = -c * r2 + 1.0 / 720.0;
        c = -c * r2 + 1.0 / 24.0;
        c = -c * r2 + 0.5;
        c = -c * r2 + 1.0;
        double s = 1.0 / 39916800.0;             // 1/11!
        s = -s * r2 + 1.0 / 362880.0;
        s = -s * r2 + 1.0 / 5040.0;
        s = -s * r2 + 1.0 / 120.0;
        s = -s * r2 + 1.0 / 6.0;
        s = (-s * r2 + 1.0) * r;
        return quadrant switch { 0 => c, 1 => -s, 2 => -c, _ => s };
    }

    /// <summary>x^y with the special cases of IEEE 754 pow (as MathF.Pow and Math.Pow); otherwise e^(y ln|x|).</summary>
    public static double Pow(double x, double y)
    {
        if (y == 0.0 || x == 1.0) return 1.0;
        if (IsNaN(x) || IsNaN(y)) return double.NaN;
        double ay = XMath.Abs(y);
        bool integer = ay < 9007199254740992.0 ? XMath.Floor(y) == y : ay != double.PositiveInfinity;
        bool odd = integer && ay < 9007199254740992.0 && XMath.Abs(y - 2.0 * XMath.Floor(y * 0.5)) == 1.0;
        double ax = XMath.Abs(x);
        if (ay == double.PositiveInfinity)
        {
            if (ax == 1.0) return 1.0;
            return (ax > 1.0) == (y > 0.0) ? double.PositiveInfinity : 0.0;
        }
        if (x == 0.0)
        {
            // The sign of a zero survives only through odd integer powers.
            bool negativeZero = odd && Interop.FloatAsInt(x) != 0UL;
            if (y > 0.0) return negativeZero ? -0.0 : 0.0;
            return negativeZero ? double.NegativeInfinity : double.PositiveInfinity;
        }
        if (ax == double.PositiveInfinity)
        {
            double magnitude = y > 0.0 ? double.PositiveInfinity : 0.0;
            return x < 0.0 && odd ? -magnitude : magnitude;
        }
        if (x < 0.0 && !integer) return double.NaN;
        double r = Exp(y * Log(ax));
        return x < 0.0 && odd ? -r : r;
    }

    /// <summary>2^e for e in [-1022, 1023], built from its bits.</summary>
    private static double Pow2(int e) => Interop.IntAsFloat((ulong)(e + 1023) << 52);
}
