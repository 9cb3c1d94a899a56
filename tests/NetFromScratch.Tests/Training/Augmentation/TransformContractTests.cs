using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Augmentation;

/// <summary>What every transform promises: the same output for the same generator, the shape kept, and clear shape errors.</summary>
public class TransformContractTests
{
    public static IEnumerable<TestCaseData> All()
    {
        yield return new TestCaseData(new RandomCrop(4)).SetArgDisplayNames("crop");
        yield return new TestCaseData(new RandomCrop(3, PadMode.Reflect)).SetArgDisplayNames("crop-reflect");
        yield return new TestCaseData(new RandomResizedCrop()).SetArgDisplayNames("resizedcrop");
        yield return new TestCaseData(new RandomHorizontalFlip()).SetArgDisplayNames("hflip");
        yield return new TestCaseData(new RandomVerticalFlip()).SetArgDisplayNames("vflip");
        yield return new TestCaseData(new RandomRotation(30)).SetArgDisplayNames("rotate");
        yield return new TestCaseData(new RandomZoom(0.8f, 1.25f)).SetArgDisplayNames("zoom");
        yield return new TestCaseData(new RandomTranslation(0.2f, 0.2f)).SetArgDisplayNames("translate");
        yield return new TestCaseData(new ColorJitter(0.4f, 0.4f, 0.4f)).SetArgDisplayNames("jitter");
        yield return new TestCaseData(new Cutout(5)).SetArgDisplayNames("cutout");
        yield return new TestCaseData(AugmentationSpec.Parse("crop:4,flip,jitter:0.2")).SetArgDisplayNames("compose");
    }

    private static readonly Shape Rgb = new(3, 12, 10);

    private static float[] Image(int seed) => TensorAssert.RandomData(Rgb.Numel, seed).Select(v => 0.5f + 0.5f * v).ToArray();

    [TestCaseSource(nameof(All))]
    public void SameGeneratorStateGivesTheSameOutput(ISampleTransform t)
    {
        var a = Image(1);
        var b = Image(1);
        t.Apply(a, Rgb, new Generator(42, 1 << 20));
        t.Apply(b, Rgb, new Generator(42, 1 << 20));
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a.All(float.IsFinite));
    }

    [TestCaseSource(nameof(All))]
    public void DifferentSeedsGiveDifferentOutputs(ISampleTransform t)
    {
        var outputs = new HashSet<string>();
        for (ulong seed = 0; seed < 12; seed++)
        {
            var x = Image(2);
            t.Apply(x, Rgb, new Generator(seed));
            outputs.Add(string.Join(",", x));
        }
        Assert.That(outputs, Has.Count.GreaterThan(1));
    }

    [TestCaseSource(nameof(All))]
    public void WorksOnGreyAndRankTwoSamples(ISampleTransform t)
    {
        var grey = Image(3)[..120];
        t.Apply(grey, new Shape(1, 12, 10), new Generator(5));
        var flat = Image(3)[..120];
        t.Apply(flat, new Shape(12, 10), new Generator(5));
        Assert.That(flat, Is.EqualTo(grey));
    }

    [TestCaseSource(nameof(All))]
    public void NonImageShapeIsRejectedNamingTheShape(ISampleTransform t)
    {
        var e = Assert.Throws<ArgumentException>(() => t.Apply(new float[64], new Shape(64), new Generator(0)))!;
        Assert.That(e.Message, Does.Contain("[64]").And.Contain("[C, H, W]"));
    }

    [TestCaseSource(nameof(All))]
    public void AllocatesNothingPerCallOnceWarm(ISampleTransform t)
    {
        var x = Image(4);
        var g = new Generator(1);
        t.Apply(x, Rgb, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) t.Apply(x, Rgb, g);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}
