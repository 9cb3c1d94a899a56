using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class RandomTests(Device device)
{
    private static readonly (RandomDistribution Dist, float A, float B)[] Distributions =
    [
        (RandomDistribution.Uniform, 0f, 1f),
        (RandomDistribution.Uniform, -2f, 3f),
        (RandomDistribution.Normal, 0f, 1f),
        (RandomDistribution.Normal, 2f, 0.5f),
        (RandomDistribution.Bernoulli, 0.3f, 0f),
    ];

    private Tensor Draw(RandomDistribution dist, float a, float b, Shape shape, Generator g) => dist switch
    {
        RandomDistribution.Uniform => Tensor.Uniform(shape, a, b, g, device),
        RandomDistribution.Normal => Tensor.Normal(shape, a, b, g, device),
        _ => Tensor.Bernoulli(shape, a, g, device),
    };

    [Test]
    public void PhiloxMatchesThePublishedKnownAnswers()
    {
        // Known-answer vectors of Random123 for Philox4x32-10 (counter words, key words -> output words).
        Assert.That(Philox.Block(0u, 0u, 0u, 0u, 0u, 0u), Is.EqualTo((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)));
        Assert.That(Philox.Block(~0u, ~0u, ~0u, ~0u, ~0u, ~0u), Is.EqualTo((0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)));
        Assert.That(Philox.Block(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u),
            Is.EqualTo((0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)));
    }

    [Test]
    public void EveryElementIsThePhiloxSampleForItsCounter()
    {
        // Offsets that start mid-vector and one whose 64-bit counter crosses a 32-bit boundary inside the tensor.
        foreach (ulong offset in new ulong[] { 0, 5, (1UL << 32) - 13 })
            foreach (int n in new[] { 1, 7, 8, 37, 1000, 5000 })
                foreach (var (dist, a, b) in Distributions)
                {
                    var g = new Generator(0xC0FFEEUL, offset);
                    var t = Draw(dist, a, b, new Shape(n), g).ToArray();
                    for (int i = 0; i < n; i++)
                    {
                        float expected = Philox.Sample(dist, 0xC0FFEEUL, offset + (ulong)i, a, b);
                        if (BitConverter.SingleToInt32Bits(t[i]) == BitConverter.SingleToInt32Bits(expected)) continue;
                        // GPU kernels take log and cos from their own (correctly rounded) functions, not the C runtime's
                        // logf/cosf: normal draws may differ in the last two bits there. Uniform and Bernoulli draws never do.
                        bool gpuNormal = device.Kind != DeviceKind.Cpu && dist == RandomDistribution.Normal;
                        if (gpuNormal && Math.Abs(BitConverter.SingleToInt32Bits(t[i]) - BitConverter.SingleToInt32Bits(expected)) <= 2) continue;
                        Assert.Fail($"{dist}({a}, {b}) offset {offset} n {n}: element {i} is {t[i]:R}, Philox.Sample gives {expected:R}");
                    }
                    Assert.That(g.Offset, Is.EqualTo(offset + (ulong)n), "the generator advances by the element count");
                }
    }

    [Test]
    public void TheSameSeedGivesTheSameNumbersAndOtherSeedsDoNot()
    {
        foreach (var (dist, a, b) in Distributions)
        {
            var x = Draw(dist, a, b, new Shape(50, 20), new Generator(7)).ToArray();
            var y = Draw(dist, a, b, new Shape(50, 20), new Generator(7)).ToArray();
            var z = Draw(dist, a, b, new Shape(50, 20), new Generator(8)).ToArray();
            Assert.That(y, Is.EqualTo(x), $"{dist}: same seed");
            Assert.That(z, Is.Not.EqualTo(x), $"{dist}: different seed");
        }
        Generator.ManualSeed(42);
        var first = Tensor.Randn(new Shape(10), device: device).ToArray();
        Generator.ManualSeed(42);
        Assert.That(Tensor.Randn(new Shape(10), device: device).ToArray(), Is.EqualTo(first), "ManualSeed restarts the default stream");
    }

    [Test]
    public void TheThreadCountDoesNotChangeTheNumbers()
    {
        int saved = CpuParallel.MaxThreads;
        try
        {
            foreach (var (dist, a, b) in Distributions)
            {
                CpuParallel.MaxThreads = 1;
                var one = Draw(dist, a, b, new Shape(100_003), new Generator(11, 3)).ToArray();
                CpuParallel.MaxThreads = 2;
                var two = Draw(dist, a, b, new Shape(100_003), new Generator(11, 3)).ToArray();
                CpuParallel.MaxThreads = 7;
                var seven = Draw(dist, a, b, new Shape(100_003), new Generator(11, 3)).ToArray();
                Assert.That(two, Is.EqualTo(one), $"{dist}: 1 vs 2 threads");
                Assert.That(seven, Is.EqualTo(one), $"{dist}: 1 vs 7 threads");
            }
        }
        finally
        {
            CpuParallel.MaxThreads = saved;
        }
    }

    [Test]
    public void MomentsMatchTheDistributions()
    {
        const int n = 100_000;
        var g = new Generator(2024);
        var u = Tensor.Rand(new Shape(n), g, device).ToArray();
        Assert.That(u, Is.All.InRange(0f, 1f).And.All.LessThan(1f));
        Assert.That(u.Average(), Is.EqualTo(0.5).Within(0.005));
        Assert.That(Variance(u), Is.EqualTo(1.0 / 12).Within(0.002));

        var w = Tensor.Uniform(new Shape(n), -2f, 3f, g, device).ToArray();
        Assert.That(w, Is.All.GreaterThanOrEqualTo(-2f).And.All.LessThan(3f));
        Assert.That(w.Average(), Is.EqualTo(0.5).Within(0.03));

        var z = Tensor.Randn(new Shape(n), g, device).ToArray();
        Assert.That(z.Average(), Is.EqualTo(0.0).Within(0.01));
        Assert.That(Variance(z), Is.EqualTo(1.0).Within(0.02));
        Assert.That(z.Count(v => Math.Abs(v) > 1.96) / (double)n, Is.EqualTo(0.05).Within(0.005), "two-sided 5% tail");

        var s = Tensor.Normal(new Shape(n), 2f, 0.5f, g, device).ToArray();
        Assert.That(s.Average(), Is.EqualTo(2.0).Within(0.01));
        Assert.That(Math.Sqrt(Variance(s)), Is.EqualTo(0.5).Within(0.01));

        var bern = Tensor.Bernoulli(new Shape(n), 0.3f, g, device).ToArray();
        Assert.That(bern, Is.All.EqualTo(0f).Or.EqualTo(1f));
        Assert.That(bern.Average(), Is.EqualTo(0.3).Within(0.005));
        Assert.That(Tensor.Bernoulli(new Shape(1000), 0f, g, device).ToArray(), Is.All.Zero);
        Assert.That(Tensor.Bernoulli(new Shape(1000), 1f, g, device).ToArray(), Is.All.EqualTo(1f));
    }

    private static double Variance(float[] x)
    {
        double mean = x.Average(v => (double)v);
        return x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
    }

    [Test]
    public void TheGeneratorOffsetAdvancesSoDrawsContinueOneStream()
    {
        var g = new Generator(99);
        var a = Tensor.Rand(new Shape(3, 4), g, device).ToArray();
        Assert.That(g.Offset, Is.EqualTo(12UL));
        var b = Tensor.Rand(new Shape(12), g, device).ToArray();
        Assert.That(g.Offset, Is.EqualTo(24UL));
        var whole = Tensor.Rand(new Shape(24), new Generator(99), device).ToArray();
        Assert.That(a.Concat(b).ToArray(), Is.EqualTo(whole));
        // Restoring (seed, offset) resumes the stream exactly.
        var resumed = Tensor.Rand(new Shape(12), new Generator(99, 12), device).ToArray();
        Assert.That(resumed, Is.EqualTo(b));
        Assert.That(Tensor.Rand(new Shape(0), g, device).Numel, Is.Zero);
        Assert.That(g.Offset, Is.EqualTo(24UL), "an empty draw uses no counters");
    }

    [Test]
    public void HostDrawsStayInRange()
    {
        var g = new Generator(5);
        for (int i = 0; i < 1000; i++)
        {
            Assert.That(g.NextFloat(), Is.InRange(0f, 1f).And.LessThan(1f));
            Assert.That(g.NextInt(7), Is.InRange(0, 6));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => g.NextInt(0));
    }

    [Test]
    public void BadParametersNameTheOp()
    {
        var p = Assert.Throws<ArgumentException>(() => Tensor.Bernoulli(new Shape(3), 1.5f, device: device))!;
        Assert.That(p.Message, Does.Contain("Bernoulli").And.Contain("1.5"));
        var s = Assert.Throws<ArgumentException>(() => Tensor.Normal(new Shape(3), 0f, -1f, device: device))!;
        Assert.That(s.Message, Does.Contain("Normal").And.Contain("-1"));
    }
}
