using ILGPU;
using ILGPU.Algorithms;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// exp and log in float, accurate to one or two ulps over the whole range, for kernels. On CUDA, XMath's float
/// exp and log are the hardware's approximate instructions (<c>ex2.approx</c> of <c>x * log2(e)</c>), whose
/// error grows with |x| (about 1e-6 relative at x = -20); these use Cody-Waite range reduction and short
/// polynomials instead, a dozen extra FMAs in kernels that are bound by memory traffic anyway.
/// They are plain C#, so the CPU simulator runs exactly the arithmetic a GPU runs.
/// </summary>
internal static class FloatMath
{
    // ln 2 split so that k * Ln2High is exact for |k| < 256.
    private const float Ln2High = 0.693145752f, Ln2Low = 1.42860677e-6f, Log2E = 1.44269504f;

    /// <summary>e^x: x = k ln2 + r with |r| &lt;= ln2 / 2, e^r by its Taylor polynomial to r^7 (error below 1e-8).</summary>
    public static float Exp(float x)
    {
        if (DeviceMath.IsNaN(x)) return x;
        if (x > 88.7228394f) return float.PositiveInfinity;
        if (x < -103.972084f) return 0f;
        float k = XMath.Floor(x * Log2E + 0.5f);
        float r = x - k * Ln2High;
        r -= k * Ln2Low;
        float p = 1f / 5040f;
        p = p * r + 1f / 720f;
        p = p * r + 1f / 120f;
        p = p * r + 1f / 24f;
        p = p * r + 1f / 6f;
        p = p * r + 0.5f;
        p = p * r + 1f;
        p = p * r + 1f;
        int e = (int)k, half = e / 2;
        // Two factors keep each power of two a normal float, so results down to the subnormals come out right.
        return p * Pow2(half) * Pow2(e - half);
    }

    /// <summary>
    /// ln y: y = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| &lt;= 0.172,
    /// by its series to s^9.
    /// </summary>
    public static float Log(float y)
    {
        if (DeviceMath.IsNaN(y) || y < 0f) return float.NaN;
        if (y == 0f) return float.NegativeInfinity;
        if (y == float.PositiveInfinity) return y;
        uint bits = Interop.FloatAsInt(y);
        int e = (int)((bits >> 23) & 0xFF);
        if (e == 0)
        {
            // Subnormal: scale into the normal range first.
            bits = Interop.FloatAsInt(y * 16777216f);
            e = (int)((bits >> 23) & 0xFF) - 24;
        }
        e -= 127;
        float m = Interop.IntAsFloat((bits & 0x7FFFFFu) | 0x3F800000u);
        if (m > 1.41421356f)
        {
            m *= 0.5f;
            e++;
        }
        float s = (m - 1f) / (m + 1f);
        float s2 = s * s;
        float tail = s2 * (1f / 3f + s2 * (1f / 5f + s2 * (1f / 7f + s2 * (1f / 9f))));
        float lnM = 2f * s + 2f * s * tail;
        return e * Ln2High + (lnM + e * Ln2Low);
    }

    /// <summary>2^e for e in [-126, 127], built from its bits.</summary>
    private static float Pow2(int e) => Interop.IntAsFloat((uint)(e + 127) << 23);
}
