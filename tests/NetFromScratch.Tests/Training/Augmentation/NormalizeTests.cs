using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Augmentation;

public class NormalizeTests
{
    [Test]
    public void SubtractsTheMeanAndDividesByTheStdPerChannel()
    {
        var shape = new Shape(3, 2, 2);
        var x = TensorAssert.RandomData(12, 1);
        var y = (float[])x.Clone();
        new Normalize(new[] { 0.1f, 0.2f, 0.3f }, new[] { 0.5f, 2f, 4f }).Apply(y, shape, new Generator(0));
        float[] m = { 0.1f, 0.2f, 0.3f }, s = { 0.5f, 2f, 4f };
        for (int i = 0; i < 12; i++) Assert.That(y[i], Is.EqualTo((x[i] - m[i / 4]) / s[i / 4]).Within(1e-6f));
    }

    [Test]
    public void OneMeanAndStdApplyToEveryChannel()
    {
        var y = new float[] { 1, 2, 3, 4 };
        new Normalize(new[] { 1f }, new[] { 2f }).Apply(y, new Shape(2, 1, 2), new Generator(0));
        Assert.That(y, Is.EqualTo(new[] { 0f, 0.5f, 1f, 1.5f }));
    }

    [Test]
    public void BadStatisticsAndChannelMismatchAreRejected()
    {
        Assert.That(() => new Normalize(new[] { 0f, 0f }, new[] { 1f }), Throws.ArgumentException.With.Message.Contains("2 means and 1 stds"));
        Assert.That(() => new Normalize(new[] { 0f }, new[] { 0f }), Throws.ArgumentException.With.Message.Contains("positive"));
        var n = new Normalize(new[] { 0f, 0f }, new[] { 1f, 1f });
        Assert.That(() => n.Apply(new float[12], new Shape(3, 2, 2), new Generator(0)),
            Throws.ArgumentException.With.Message.Contains("2 channel statistics").And.Message.Contains("3 channels"));
    }

    [Test]
    public void ChannelStatisticsMatchAReferenceAndNormaliseToZeroMeanUnitStd()
    {
        var data = new ShapesDataset(40, seed: 3, size: 12);
        var stats = ChannelStatistics.Compute(data);
        // Reference: all values of each channel in one list.
        var values = Enumerable.Range(0, 3).Select(_ => new List<double>()).ToArray();
        var buf = new float[data.SampleShape.Numel];
        for (int i = 0; i < data.Count; i++)
        {
            data.CopySample(i, buf);
            for (int k = 0; k < buf.Length; k++) values[k / 144].Add(buf[k]);
        }
        for (int c = 0; c < 3; c++)
        {
            double mean = values[c].Average();
            double std = Math.Sqrt(values[c].Average(v => (v - mean) * (v - mean)));
            Assert.That(stats.Mean[c], Is.EqualTo(mean).Within(1e-5));
            Assert.That(stats.Std[c], Is.EqualTo(std).Within(1e-5));
        }

        var normalize = stats.ToNormalize();
        var all = new List<float>[] { new(), new(), new() };
        for (int i = 0; i < data.Count; i++)
        {
            data.CopySample(i, buf);
            normalize.Apply(buf, data.SampleShape, new Generator(0));
            for (int k = 0; k < buf.Length; k++) all[k / 144].Add(buf[k]);
        }
        foreach (var ch in all)
        {
            double m = ch.Average();
            Assert.That(m, Is.EqualTo(0).Within(1e-4));
            Assert.That(Math.Sqrt(ch.Average(v => (v - m) * (v - m))), Is.EqualTo(1).Within(1e-3));
        }
    }

    [Test]
    public void ChannelStatisticsCanSubsample()
    {
        var data = new ShapesDataset(100, seed: 1, size: 8, channels: 1);
        var stats = ChannelStatistics.Compute(data, maxSamples: 10);
        Assert.That(stats.Mean, Has.Count.EqualTo(1));
        Assert.That(stats.Std[0], Is.GreaterThan(0.05f));
    }
}
