using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Data;

public class ShapesDatasetTests
{
    private static float[] Sample(IDataset d, int i)
    {
        var s = new float[d.SampleShape.Numel];
        d.CopySample(i, s);
        return s;
    }

    [Test]
    public void SamplesAreAPureFunctionOfSeedAndIndex()
    {
        var a = new ShapesDataset(50, seed: 7);
        var b = new ShapesDataset(50, seed: 7);
        var c = new ShapesDataset(50, seed: 8);
        Assert.That(a.SampleShape.ToArray(), Is.EqualTo(new[] { 3, 32, 32 }));
        foreach (int i in new[] { 0, 13, 49 })
        {
            Assert.That(Sample(b, i), Is.EqualTo(Sample(a, i)));
            Assert.That(Sample(c, i), Is.Not.EqualTo(Sample(a, i)));
        }
        Assert.That(Sample(a, 3), Is.Not.EqualTo(Sample(a, 13)), "same class, different drawing");
        // Order and threads do not matter.
        var mem = a.ToInMemory();
        var x = new float[3072];
        mem.CopySample(31, x);
        Assert.That(x, Is.EqualTo(Sample(a, 31)));
    }

    [Test]
    public void ClassesAreBalancedAndValuesInRange()
    {
        var d = new ShapesDataset(1003, seed: 1, size: 12);
        var counts = new int[d.ClassCount];
        var s = new float[d.SampleShape.Numel];
        for (int i = 0; i < d.Count; i++)
        {
            counts[d.CopySample(i, s)]++;
            if (i % 50 == 0) Assert.That(s.All(v => v >= 0f && v <= 1f), $"sample {i}");
        }
        Assert.That(d.ClassCount, Is.EqualTo(ShapesDataset.ClassNames.Count).And.EqualTo(10));
        Assert.That(counts.Max() - counts.Min(), Is.LessThanOrEqualTo(1));
    }

    [Test]
    public void FigureStandsOutFromTheBackground()
    {
        // Every image has a clear two-level structure: the spread of its grey values is well above the noise.
        var d = new ShapesDataset(60, seed: 3, channels: 1);
        Assert.That(d.SampleShape.ToArray(), Is.EqualTo(new[] { 1, 32, 32 }));
        for (int i = 0; i < d.Count; i++)
        {
            var s = Sample(d, i);
            var sorted = s.OrderBy(v => v).ToArray();
            float p10 = sorted[sorted.Length / 10], p90 = sorted[sorted.Length * 9 / 10];
            Assert.That(p90 - p10, Is.GreaterThan(0.15f), $"sample {i} ({ShapesDataset.ClassNames[i % 10]})");
        }
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        Assert.That(() => new ShapesDataset(0), Throws.ArgumentException.With.Message.Contains("count"));
        Assert.That(() => new ShapesDataset(5, size: 4), Throws.ArgumentException.With.Message.Contains("size"));
        Assert.That(() => new ShapesDataset(5, channels: 2), Throws.ArgumentException.With.Message.Contains("channels"));
    }
}
