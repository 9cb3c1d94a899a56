using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Augmentation;

public class ComposeTests
{
    private sealed class Recorder(string name, List<string> log) : ISampleTransform
    {
        public void Apply(Span<float> sample, Shape shape, Generator generator) => log.Add(name);
    }

    [Test]
    public void AppliesInTheGivenOrder()
    {
        var log = new List<string>();
        new Compose(new Recorder("a", log), new Recorder("b", log), new Recorder("c", log)).Apply(new float[4], new Shape(1, 2, 2), new Generator(0));
        Assert.That(log, Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public void OrderMattersAndMatchesApplyingOneByOne()
    {
        var shape = new Shape(1, 2, 3);
        var x = new float[] { 1, 2, 3, 4, 5, 6 };
        var cut = new Cutout(1, fill: 0f);
        var norm = new Normalize(new[] { 1f }, new[] { 1f });
        var a = (float[])x.Clone();
        new Compose(cut, norm).Apply(a, shape, new Generator(7));
        var b = (float[])x.Clone();
        var g = new Generator(7);
        cut.Apply(b, shape, g);
        norm.Apply(b, shape, g);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.Count(v => v == -1f), Is.EqualTo(1), "cut first, then normalised: the hole reads -1");
        var c = (float[])x.Clone();
        new Compose(norm, cut).Apply(c, shape, new Generator(7));
        Assert.That(c.Count(v => v == 0f), Is.GreaterThanOrEqualTo(1));
        Assert.That(c, Is.Not.EqualTo(a));
    }

    [Test]
    public void EmptyComposeIsIdentity()
    {
        var x = new float[] { 1, 2, 3, 4 };
        new Compose().Apply(x, new Shape(1, 2, 2), new Generator(0));
        Assert.That(x, Is.EqualTo(new float[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void LoaderWithAugmentationIsReproducibleFromItsSeed()
    {
        var data = new ShapesDataset(20, seed: 2, size: 16);
        var spec = AugmentationSpec.Parse("crop:2,flip,rotate:10,jitter:0.3,cutout:4");
        float[] Epoch(ulong seed, int prefetch)
        {
            var loader = new DataLoader(data, 8, seed: seed, prefetch: prefetch, transform: spec);
            var all = new List<float>();
            foreach (var b in loader) using (b) all.AddRange(b.Inputs.ToArray());
            return all.ToArray();
        }
        Assert.That(Epoch(5, 2), Is.EqualTo(Epoch(5, 0)));
        Assert.That(Epoch(6, 2), Is.Not.EqualTo(Epoch(5, 2)));
    }
}
