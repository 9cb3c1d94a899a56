using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

public class ColorJitterTests
{
    private static readonly Shape S = new(3, 6, 5);
    private static readonly ImageLayout L = new(3, 6, 5);

    private static float[] Image(int seed) => TensorAssert.RandomData(S.Numel, seed).Select(v => 0.5f + 0.45f * v).ToArray();

    [Test]
    public void KeepsValuesInTheUnitRange()
    {
        var t = new ColorJitter(0.9f, 0.9f, 0.9f);
        for (ulong seed = 0; seed < 50; seed++)
        {
            var x = Image((int)seed);
            t.Apply(x, S, new Generator(seed));
            Assert.That(x.All(v => v >= 0f && v <= 1f), $"seed {seed}");
        }
    }

    [Test]
    public void ZeroAmountsChangeNothing()
    {
        var x = Image(1);
        var y = (float[])x.Clone();
        new ColorJitter(0, 0, 0).Apply(y, S, new Generator(4));
        Assert.That(y, Is.EqualTo(x));
    }

    [Test]
    public void BrightnessScalesEveryValueByOneFactorInRange()
    {
        var x = Image(2).Select(v => v * 0.5f).ToArray(); // below 0.5, so a factor up to 1.2 never clips
        for (ulong seed = 0; seed < 20; seed++)
        {
            var y = (float[])x.Clone();
            new ColorJitter(0.2f, 0, 0).Apply(y, S, new Generator(seed));
            float f = y[0] / x[0];
            Assert.That(f, Is.InRange(0.8f, 1.2f));
            for (int i = 0; i < x.Length; i++) Assert.That(y[i], Is.EqualTo(f * x[i]).Within(1e-5f));
        }
    }

    [Test]
    public void ContrastAndSaturationFollowTheirFormulas()
    {
        var x = Image(3);
        int plane = 30;
        double mean = 0;
        for (int i = 0; i < plane; i++) mean += 0.299 * x[i] + 0.587 * x[plane + i] + 0.114 * x[2 * plane + i];
        mean /= plane;

        var flat = (float[])x.Clone();
        ColorJitter.AdjustContrast(flat, L, 0f);
        Assert.That(flat, Has.All.EqualTo((float)mean).Within(1e-5f), "contrast 0 gives the mean grey");

        var half = (float[])x.Clone();
        ColorJitter.AdjustContrast(half, L, 0.5f);
        for (int i = 0; i < x.Length; i++) Assert.That(half[i], Is.EqualTo(0.5 * x[i] + 0.5 * mean).Within(1e-5));

        var grey = (float[])x.Clone();
        ColorJitter.AdjustSaturation(grey, L, 0f);
        for (int i = 0; i < plane; i++)
        {
            float luma = 0.299f * x[i] + 0.587f * x[plane + i] + 0.114f * x[2 * plane + i];
            Assert.That(grey[i], Is.EqualTo(luma).Within(1e-6f));
            Assert.That(grey[plane + i], Is.EqualTo(luma).Within(1e-6f));
            Assert.That(grey[2 * plane + i], Is.EqualTo(luma).Within(1e-6f));
        }

        var same = (float[])x.Clone();
        ColorJitter.AdjustSaturation(same, L, 1f);
        TensorAssert.Close(x, same, 1e-6f, 0);
    }

    [Test]
    public void RejectsOtherChannelCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => new ColorJitter(0.1f, 0.1f, 0.1f).Apply(new float[2 * 4], new Shape(2, 2, 2), new Generator(0)))!;
        Assert.That(e.Message, Does.Contain("ColorJitter").And.Contain("[2, 2, 2]"));
    }
}
