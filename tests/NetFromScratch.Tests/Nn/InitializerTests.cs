using NetFromScratch.Nn.Init;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Nn;

public class InitializerTests
{
    private static (double Mean, double Var, float Min, float Max) Stats(Tensor t)
    {
        var v = t.ToArray();
        double mean = v.Average();
        double var = v.Select(x => (x - mean) * (x - mean)).Average();
        return (mean, var, v.Min(), v.Max());
    }

    [Test]
    public void FansFollowTheOutInKernelLayout()
    {
        Assert.That(Initializers.Fans(new Shape(64, 32, 3, 3)), Is.EqualTo((288, 576)));
        Assert.That(Initializers.Fans(new Shape(10, 784)), Is.EqualTo((784, 10)));
        Assert.That(Assert.Throws<ArgumentException>(() => Initializers.Fans(new Shape(5)))!.Message, Does.Contain("[5]"));
    }

    [Test]
    public void GainsMatchTorchsCalculateGain()
    {
        Assert.That(Initializers.Gain(Nonlinearity.Relu), Is.EqualTo(MathF.Sqrt(2)).Within(1e-6));
        Assert.That(Initializers.Gain(Nonlinearity.Tanh), Is.EqualTo(5f / 3f).Within(1e-6));
        Assert.That(Initializers.Gain(Nonlinearity.LeakyRelu, 0.2f), Is.EqualTo(MathF.Sqrt(2 / 1.04f)).Within(1e-6));
        Assert.That(Initializers.Gain(Nonlinearity.Sigmoid), Is.EqualTo(1f));
    }

    [Test]
    public void XavierUniformHasItsBoundAndVariance()
    {
        var t = Tensor.Empty(new Shape(300, 500));
        Initializers.XavierUniform(t, generator: new Generator(1));
        double a = Math.Sqrt(6.0 / 800);
        var s = Stats(t);
        Assert.That(s.Min, Is.GreaterThanOrEqualTo(-a));
        Assert.That(s.Max, Is.LessThanOrEqualTo(a));
        Assert.That(s.Var, Is.EqualTo(a * a / 3).Within(0.02 * a * a / 3));
        Assert.That(s.Mean, Is.EqualTo(0).Within(0.01 * a));
    }

    [Test]
    public void XavierNormalAndKaimingHaveTheirStandardDeviations()
    {
        var t = Tensor.Empty(new Shape(256, 128, 3, 3));
        Initializers.XavierNormal(t, gain: 2f, generator: new Generator(2));
        double std = 2 * Math.Sqrt(2.0 / (128 * 9 + 256 * 9));
        Assert.That(Math.Sqrt(Stats(t).Var), Is.EqualTo(std).Within(0.02 * std));

        Initializers.KaimingNormal(t, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: new Generator(3));
        std = Math.Sqrt(2) / Math.Sqrt(256 * 9);
        Assert.That(Math.Sqrt(Stats(t).Var), Is.EqualTo(std).Within(0.02 * std));

        Initializers.KaimingUniform(t, nonlinearity: Nonlinearity.Relu, generator: new Generator(4));
        double bound = Math.Sqrt(2) * Math.Sqrt(3.0 / (128 * 9));
        var s = Stats(t);
        Assert.That(s.Max, Is.LessThanOrEqualTo(bound));
        Assert.That(s.Var, Is.EqualTo(bound * bound / 3).Within(0.02 * bound * bound / 3));
    }

    [Test]
    public void UniformNormalAndConstantsFillAsAsked()
    {
        var t = Tensor.Empty(new Shape(100_000));
        var u = Stats(Initializers.Uniform(t, -2, 4, new Generator(5)));
        Assert.That(u.Min, Is.GreaterThanOrEqualTo(-2f));
        Assert.That(u.Max, Is.LessThan(4f));
        Assert.That(u.Mean, Is.EqualTo(1).Within(0.03));
        var n = Stats(Initializers.Normal(t, 3, 0.5f, new Generator(6)));
        Assert.That(n.Mean, Is.EqualTo(3).Within(0.01));
        Assert.That(Math.Sqrt(n.Var), Is.EqualTo(0.5).Within(0.01));
        Assert.That(Initializers.Constant(t, 0.25f).ToArray().Distinct(), Is.EqualTo(new[] { 0.25f }));
        Assert.That(Initializers.Zeros(t).ToArray().Distinct(), Is.EqualTo(new[] { 0f }));
        Assert.That(Initializers.Ones(t).ToArray().Distinct(), Is.EqualTo(new[] { 1f }));
    }

    [TestCase(6, 4)]
    [TestCase(4, 6)]
    public void OrthogonalRowsOrColumnsAreOrthonormal(int rows, int cols)
    {
        var t = Tensor.Empty(new Shape(rows, cols));
        Initializers.Orthogonal(t, gain: 1f, generator: new Generator(7));
        var w = t.ToArray();
        bool rowsOrthonormal = rows <= cols;
        int n = rowsOrthonormal ? rows : cols, len = rowsOrthonormal ? cols : rows;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int k = 0; k < len; k++)
                    dot += rowsOrthonormal ? w[a * cols + k] * w[b * cols + k] : w[k * cols + a] * w[k * cols + b];
                Assert.That(dot, Is.EqualTo(a == b ? 1.0 : 0.0).Within(1e-5));
            }
    }

    [Test]
    public void TheSameSeedGivesTheSameWeights()
    {
        var a = Initializers.KaimingUniform(Tensor.Empty(new Shape(8, 8)), generator: new Generator(42)).ToArray();
        var b = Initializers.KaimingUniform(Tensor.Empty(new Shape(8, 8)), generator: new Generator(42)).ToArray();
        Assert.That(a, Is.EqualTo(b));
    }
}
