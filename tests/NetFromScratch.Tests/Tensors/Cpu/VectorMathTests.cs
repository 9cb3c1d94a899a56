using System.Runtime.Intrinsics;
using NetFromScratch.Tensors.Cpu;
using static NetFromScratch.Tests.Tensors.ElementwiseReference;

namespace NetFromScratch.Tests.Tensors.Cpu;

/// <summary>
/// Accuracy of the CPU backend's own math, measured in ulps against double references on dense grids. These are
/// stricter than the op tests, which only check tolerances.
/// </summary>
public class VectorMathTests
{
    private static float[] Grid(float lo, float hi, int n) => Enumerable.Range(0, n).Select(i => lo + (hi - lo) * i / (n - 1)).ToArray();

    private static float[] Apply(Func<Vector256<float>, Vector256<float>> f, float[] x)
    {
        var y = new float[x.Length];
        Span<float> lanes = stackalloc float[8];
        for (int i = 0; i < x.Length; i += 8)
        {
            lanes.Clear();
            x.AsSpan(i, Math.Min(8, x.Length - i)).CopyTo(lanes);
            f(Vector256.Create<float>(lanes)).CopyTo(lanes);
            lanes[..Math.Min(8, x.Length - i)].CopyTo(y.AsSpan(i));
        }
        return y;
    }

    // Distance in units in the last place of the float nearest to the reference.
    private static double Ulps(float got, double reference)
    {
        float r = (float)reference;
        if (r == got) return 0;
        if (float.IsInfinity(got) || float.IsInfinity(r) || float.IsNaN(got) != double.IsNaN(reference)) return double.PositiveInfinity;
        double ulp = (double)MathF.BitIncrement(MathF.Abs(r)) - MathF.Abs(r);
        return Math.Abs(got - reference) / ulp;
    }

    private static void AssertUlps(string name, Func<Vector256<float>, Vector256<float>> f, Func<double, double> reference, float[] x, double maxUlps)
    {
        var y = Apply(f, x);
        double worst = 0;
        float at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double u = Ulps(y[i], reference(x[i]));
            if (u > worst) { worst = u; at = x[i]; }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(maxUlps), $"{name}: {worst:F2} ulps at x = {at:R}");
    }

    [Test]
    public void ErfIsWithin2e7OfADoubleReference()
    {
        double worst = 0;
        foreach (float x in Grid(-7f, 7f, 200_001).Concat([0f, -0f, 1e-20f, float.PositiveInfinity, float.NegativeInfinity]))
            worst = Math.Max(worst, Math.Abs(Elementwise.Erf(x) - Erf(x)));
        Assert.That(worst, Is.LessThan(2e-7));
        Assert.That(Elementwise.Erf(float.NaN), Is.NaN);
    }

    [Test]
    public void ExpIsWithinOneUlpAndExactAtZero()
    {
        AssertUlps("exp", VectorMath.Exp, Math.Exp, Grid(-87f, 88.7f, 400_003), 1.0);
        AssertUlps("exp near 0", VectorMath.Exp, Math.Exp, Grid(-1e-3f, 1e-3f, 10_001), 1.0);
        var edges = Apply(VectorMath.Exp, [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 89f, -104f, -100f]);
        Assert.That(edges[0], Is.EqualTo(1f));
        Assert.That(edges[1], Is.EqualTo(1f));
        Assert.That(edges[2], Is.NaN);
        Assert.That(edges[3], Is.EqualTo(float.PositiveInfinity));
        Assert.That(edges[4], Is.Zero);
        Assert.That(edges[5], Is.EqualTo(float.PositiveInfinity));
        Assert.That(edges[6], Is.Zero);
        Assert.That(edges[7], Is.EqualTo((float)Math.Exp(-100)).Within(2e-45f), "subnormal results are kept");
    }

    [Test]
    public void TanhSigmoidAndSoftplusAreWithinAFewUlps()
    {
        AssertUlps("tanh", VectorMath.Tanh, Math.Tanh, Grid(-10f, 10f, 400_001), 3.0);
        AssertUlps("tanh near 0", VectorMath.Tanh, Math.Tanh, Grid(-0.01f, 0.01f, 100_001), 3.0);
        AssertUlps("sigmoid", VectorMath.Sigmoid, v => 1 / (1 + Math.Exp(-v)), Grid(-80f, 40f, 400_001), 3.0);
        AssertUlps("softplus", VectorMath.Softplus, v => Unary(NetFromScratch.Tensors.UnaryOp.Softplus, v, 0, 0), Grid(-80f, 80f, 400_001), 4.0);
        Assert.That(Apply(VectorMath.Tanh, [0f, -0f])[1], Is.EqualTo(-0f).And.Matches<float>(float.IsNegative), "tanh(-0) = -0");
        Assert.That(Apply(VectorMath.Tanh, [0f])[0], Is.EqualTo(0f));
    }

    [Test]
    public void VectorGeluAgreesWithTheScalarDefinition()
    {
        var x = Grid(-10f, 10f, 100_001);
        var gelu = Apply(VectorMath.Gelu, x);
        var derivative = Apply(VectorMath.GeluDerivative, x);
        for (int i = 0; i < x.Length; i++)
        {
            // Both evaluate in double; near the derivative's root (x = -0.7518) its value is tiny, so allow a few
            // double ulps of the terms that cancel there.
            float g = Elementwise.Gelu(x[i]), d = Elementwise.GeluDerivative(x[i]);
            Assert.That(Ulps(gelu[i], g) <= 1.0 || Math.Abs(gelu[i] - g) < 1e-12, $"Gelu({x[i]}): {gelu[i]:R} vs {g:R}");
            Assert.That(Ulps(derivative[i], d) <= 1.0 || Math.Abs(derivative[i] - d) < 1e-12, $"GeluDerivative({x[i]}): {derivative[i]:R} vs {d:R}");
        }
    }
}
