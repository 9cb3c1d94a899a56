using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Data;

public class DataLoaderTests
{
    // Sample i has features [i, i + 0.5] and label i % 3.
    private static InMemoryDataset Numbered(int n)
    {
        var f = new float[2 * n];
        var l = new int[n];
        for (int i = 0; i < n; i++) { f[2 * i] = i; f[2 * i + 1] = i + 0.5f; l[i] = i % 3; }
        return new InMemoryDataset(f, l, new Shape(2), 3);
    }

    private static List<float[]> FirstFeatures(DataLoader loader)
    {
        var batches = new List<float[]>();
        foreach (var b in loader)
        {
            using (b)
            {
                var x = b.Inputs.ToArray();
                batches.Add(Enumerable.Range(0, b.Size).Select(i => x[2 * i]).ToArray());
                var y = b.Targets.ToArray();
                for (int i = 0; i < b.Size; i++) Assert.That(y[i], Is.EqualTo((int)x[2 * i] % 3));
            }
        }
        return batches;
    }

    [TestCase(0, 2)]
    [TestCase(2, 2)]
    public void EveryEpochVisitsEverySampleOnce(int prefetch, int dummy)
    {
        var loader = new DataLoader(Numbered(10), batchSize: 4, shuffle: true, seed: 7, prefetch: prefetch);
        Assert.That(loader.BatchesPerEpoch, Is.EqualTo(3));
        var e1 = FirstFeatures(loader);
        var e2 = FirstFeatures(loader);
        Assert.That(e1.Select(b => b.Length), Is.EqualTo(new[] { 4, 4, 2 }));
        Assert.That(e1.SelectMany(b => b).OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (float)i)));
        Assert.That(e2.SelectMany(b => b).OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (float)i)));
        Assert.That(e1.SelectMany(b => b), Is.Not.EqualTo(e2.SelectMany(b => b)), "a new order each epoch");
    }

    [Test]
    public void TheSameSeedGivesTheSameOrderWithOrWithoutPrefetch()
    {
        var a = FirstFeatures(new DataLoader(Numbered(50), 8, seed: 3, prefetch: 0));
        var b = FirstFeatures(new DataLoader(Numbered(50), 8, seed: 3, prefetch: 3));
        Assert.That(b, Is.EqualTo(a));
        var c = FirstFeatures(new DataLoader(Numbered(50), 8, seed: 4));
        Assert.That(c, Is.Not.EqualTo(a));
    }

    [Test]
    public void BatchSizeSelectsFullStochasticOrMiniBatch()
    {
        Assert.That(new DataLoader(Numbered(10), 0).BatchesPerEpoch, Is.EqualTo(1));
        Assert.That(new DataLoader(Numbered(10), 1).BatchesPerEpoch, Is.EqualTo(10));
        Assert.That(new DataLoader(Numbered(10), 4, dropLast: true).BatchesPerEpoch, Is.EqualTo(2));
        var full = FirstFeatures(new DataLoader(Numbered(10), 0, shuffle: false));
        Assert.That(full.Single(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (float)i)));
        Assert.Throws<ArgumentException>(() => new DataLoader(Numbered(3), -1));
    }

    [Test]
    public void BreakingOutOfAnEpochStopsTheBackgroundThread()
    {
        var loader = new DataLoader(Numbered(1000), 1, prefetch: 2);
        int seen = 0;
        foreach (var b in loader) { b.Dispose(); if (++seen == 3) break; }
        Assert.That(seen, Is.EqualTo(3));
        Assert.That(FirstFeatures(loader).Count, Is.EqualTo(1000));
    }

    private sealed class AddOne : ISampleTransform
    {
        public void Apply(Span<float> sample, Shape shape, Generator generator) { for (int i = 0; i < sample.Length; i++) sample[i] += 1000; }
    }

    [Test]
    public void TheTransformIsAppliedToEverySample()
    {
        var loader = new DataLoader(Numbered(5), 5, shuffle: false, transform: new AddOne());
        using var b = loader.First();
        Assert.That(b.Inputs.ToArray()[0], Is.EqualTo(1000f));
        Assert.That(b.Inputs.Shape, Is.EqualTo(new Shape(5, 2)));
    }

    [Test]
    public void ValidationSplitIsSeededAndDisjoint()
    {
        var (train, val) = Numbered(20).Split(0.25, seed: 1);
        Assert.That(train.Count, Is.EqualTo(15));
        Assert.That(val.Count, Is.EqualTo(5));
        var x = new float[2];
        var seen = new HashSet<float>();
        for (int i = 0; i < train.Count; i++) { train.CopySample(i, x); seen.Add(x[0]); }
        for (int i = 0; i < val.Count; i++) { val.CopySample(i, x); Assert.That(seen.Add(x[0]), Is.True); }
        var (_, val2) = Numbered(20).Split(0.25, seed: 1);
        val2.CopySample(0, x);
        var y = new float[2];
        val.CopySample(0, y);
        Assert.That(x, Is.EqualTo(y));
    }
}
