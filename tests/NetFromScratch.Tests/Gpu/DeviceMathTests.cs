using NetFromScratch.Gpu.Kernels;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// The kernels' own exp, log, tanh, cos and pow, called directly on the host (they are plain C#) against .NET's
/// Math and MathF over their whole ranges: float functions within 2 ulps, double ones far below a float ulp, and
/// every special value as IEEE 754 defines it.
/// </summary>
public class DeviceMathTests
{
    private static IEnumerable<float> Sweep(float from, float to, int count)
    {
        for (int i = 0; i <= count; i++) yield return from + (to - from) * i / count;
    }

    private static double UlpsApart(float expected, float actual)
    {
        if (expected == actual) return 0;
        return Math.Abs(actual - (double)expected) / Math.Max(MathF.BitIncrement(MathF.Abs(expected)) - MathF.Abs(expected), float.Epsilon);
    }

    private static double DoubleUlps(double expected, double actual)
    {
        if (expected == actual) return 0;
        return Math.Abs(actual - expected) / (Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected));
    }

    [Test]
    public void FloatExpIsWithinTwoUlpsEverywhere()
    {
        double worst = 0;
        foreach (float x in Sweep(-103.9f, 88.72f, 200_000).Concat(Sweep(-1f, 1f, 20_001)))
            worst = Math.Max(worst, UlpsApart(MathF.Exp(x), FloatMath.Exp(x)));
        Assert.That(worst, Is.LessThanOrEqualTo(2), "ulps");
        Assert.That(FloatMath.Exp(0f), Is.EqualTo(1f));
        Assert.That(FloatMath.Exp(89f), Is.EqualTo(float.PositiveInfinity));
        Assert.That(FloatMath.Exp(-105f), Is.EqualTo(0f));
        Assert.That(FloatMath.Exp(float.NegativeInfinity), Is.EqualTo(0f));
        Assert.That(float.IsNaN(FloatMath.Exp(float.NaN)));
        Assert.That(FloatMath.Exp(-100f), Is.EqualTo(MathF.Exp(-100f)).Within(2 * float.Epsilon), "subnormal results");
    }

    [Test]
    public void FloatLogIsWithinTwoUlpsEverywhere()
    {
        double worst = 0;
        var values = Sweep(0.5f, 2f, 50_000).Concat(Enumerable.Range(-149, 277).Select(e => MathF.ScaleB(1.2345f, e)))
            .Concat(Sweep(1e-3f, 1e4f, 50_000)).Where(v => v > 0 && float.IsFinite(v));
        foreach (float y in values) worst = Math.Max(worst, UlpsApart(MathF.Log(y), FloatMath.Log(y)));
        Assert.That(worst, Is.LessThanOrEqualTo(2), "ulps");
        Assert.That(FloatMath.Log(1f), Is.EqualTo(0f));
        Assert.That(FloatMath.Log(0f), Is.EqualTo(float.NegativeInfinity));
        Assert.That(FloatMath.Log(float.PositiveInfinity), Is.EqualTo(float.PositiveInfinity));
        Assert.That(float.IsNaN(FloatMath.Log(-1f)) && float.IsNaN(FloatMath.Log(float.NaN)));
    }

    [Test]
    public void DoubleFunctionsAgreeWithMathToAFewUlps()
    {
        var rng = new Random(5);
        double worstExp = 0, worstLog = 0, worstTanh = 0, worstCos = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double x = (rng.NextDouble() * 2 - 1) * 700;
            worstExp = Math.Max(worstExp, DoubleUlps(Math.Exp(x), DoubleMath.Exp(x)));
            double y = Math.Exp((rng.NextDouble() * 2 - 1) * 700);
            worstLog = Math.Max(worstLog, DoubleUlps(Math.Log(y), DoubleMath.Log(y)));
            double t = (rng.NextDouble() * 2 - 1) * 10;
            worstTanh = Math.Max(worstTanh, Math.Abs(DoubleMath.Tanh(t) - Math.Tanh(t)) / Math.Abs(Math.Tanh(t)));
            double c = rng.NextDouble() * 2 * Math.PI;
            worstCos = Math.Max(worstCos, Math.Abs(Math.Cos(c) - DoubleMath.Cos(c)));
        }
        TestContext.Out.WriteLine($"worst: exp {worstExp} ulps, log {worstLog} ulps, tanh {worstTanh:E1} relative, cos {worstCos:E1} absolute");
        Assert.That(worstExp, Is.LessThanOrEqualTo(4), "exp");
        Assert.That(worstLog, Is.LessThanOrEqualTo(4), "log");
        // (e - 1) / (e + 1) cancels for small x; still a thousand times finer than a float ulp.
        Assert.That(worstTanh, Is.LessThan(1e-11), "tanh");
        Assert.That(worstCos, Is.LessThan(1e-11), "cos");
        Assert.That(DoubleMath.Log(double.Epsilon), Is.EqualTo(Math.Log(double.Epsilon)).Within(1e-13).Percent, "subnormal");
        Assert.That(DoubleMath.Tanh(1e-7), Is.EqualTo(Math.Tanh(1e-7)).Within(1e-13).Percent);
    }

    [Test]
    public void FloatResultsOfTheDoubleFunctionsMatchMathF()
    {
        int differ = 0, total = 0;
        foreach (float x in Sweep(-9f, 9f, 100_001))
        {
            total++;
            if ((float)DoubleMath.Tanh(x) != MathF.Tanh(x)) differ++;
            // Against the correctly rounded value; MathF itself is off by an ulp here and there.
            Assert.That(UlpsApart((float)Math.Tanh(x), (float)DoubleMath.Tanh(x)), Is.LessThanOrEqualTo(1), $"tanh({x})");
            Assert.That(UlpsApart((float)Math.Cos(x), (float)DoubleMath.Cos(x)), Is.LessThanOrEqualTo(1), $"cos({x})");
        }
        TestContext.Out.WriteLine($"tanh differs from MathF in {differ} of {total} floats");
    }

    [Test]
    public void PowFollowsIeeeSpecialCasesAndMatchesMathF()
    {
        float[] specials = [0f, -0f, 1f, -1f, 2f, -2f, 0.5f, -0.5f, 3f, -3f, 2.5f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-3f, 1e3f];
        foreach (float x in specials)
            foreach (float y in specials)
            {
                float expected = MathF.Pow(x, y), actual = (float)DoubleMath.Pow(x, y);
                Assert.That(actual, Is.EqualTo(expected).Within(2e-7).Percent.Or.NaN.And.Matches<float>(_ => float.IsNaN(expected)), $"pow({x}, {y})");
                if (expected == 0f || float.IsInfinity(expected))
                    Assert.That(float.IsNegative(actual), Is.EqualTo(float.IsNegative(expected)), $"sign of pow({x}, {y})");
            }
        var rng = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            float x = (float)(rng.NextDouble() * 20 - 10), y = (float)Math.Round(rng.NextDouble() * 12 - 6, i % 2 == 0 ? 0 : 3);
            float expected = MathF.Pow(x, y);
            if (float.IsNaN(expected)) Assert.That(float.IsNaN((float)DoubleMath.Pow(x, y)), $"pow({x}, {y})");
            else Assert.That(UlpsApart(expected, (float)DoubleMath.Pow(x, y)), Is.LessThanOrEqualTo(1), $"pow({x}, {y})");
        }
    }
}
