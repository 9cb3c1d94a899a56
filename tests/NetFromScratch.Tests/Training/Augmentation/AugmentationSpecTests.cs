using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

public class AugmentationSpecTests
{
    [Test]
    public void ParsesTheTypicalCifarPipeline()
    {
        var c = AugmentationSpec.Parse("crop:4,flip,rotate:15,jitter:0.2");
        Assert.That(c.Transforms.Select(t => t.GetType()), Is.EqualTo(new[] { typeof(RandomCrop), typeof(RandomHorizontalFlip), typeof(RandomRotation), typeof(ColorJitter) }));
        var crop = (RandomCrop)c.Transforms[0];
        Assert.That((crop.Padding, crop.Mode), Is.EqualTo((4, PadMode.Constant)));
        Assert.That(((RandomHorizontalFlip)c.Transforms[1]).Probability, Is.EqualTo(0.5f));
        var rot = (RandomRotation)c.Transforms[2];
        Assert.That((rot.MinDegrees, rot.MaxDegrees), Is.EqualTo((-15f, 15f)));
        var j = (ColorJitter)c.Transforms[3];
        Assert.That((j.Brightness, j.Contrast, j.Saturation), Is.EqualTo((0.2f, 0.2f, 0.2f)));
    }

    [Test]
    public void ParsesArgumentsDefaultsAndSpaces()
    {
        var c = AugmentationSpec.Parse(" Crop:2:reflect , vflip:0.25, resizedcrop:0.5, zoom:0.2, zoom:0.9:1.5, translate:0.1:0.2, jitter:0.1:0.2:0.3, cutout:8:0.5, normalize:0.5/0.4/0.3:0.2/0.2/0.1, hflip ");
        Assert.That(c.Transforms, Has.Count.EqualTo(10));
        Assert.That(((RandomCrop)c.Transforms[0]).Mode, Is.EqualTo(PadMode.Reflect));
        Assert.That(((RandomVerticalFlip)c.Transforms[1]).Probability, Is.EqualTo(0.25f));
        var rrc = (RandomResizedCrop)c.Transforms[2];
        Assert.That((rrc.MinScale, rrc.MaxScale), Is.EqualTo((0.5f, 1f)));
        var z1 = (RandomZoom)c.Transforms[3];
        Assert.That(z1.MinScale, Is.EqualTo(0.8f).Within(1e-6));
        Assert.That(z1.MaxScale, Is.EqualTo(1.2f).Within(1e-6));
        var z2 = (RandomZoom)c.Transforms[4];
        Assert.That((z2.MinScale, z2.MaxScale), Is.EqualTo((0.9f, 1.5f)));
        var tr = (RandomTranslation)c.Transforms[5];
        Assert.That((tr.MaxFractionX, tr.MaxFractionY), Is.EqualTo((0.1f, 0.2f)));
        var j = (ColorJitter)c.Transforms[6];
        Assert.That((j.Brightness, j.Contrast, j.Saturation), Is.EqualTo((0.1f, 0.2f, 0.3f)));
        var cut = (Cutout)c.Transforms[7];
        Assert.That((cut.Size, cut.Probability), Is.EqualTo((8, 0.5f)));
        var n = (Normalize)c.Transforms[8];
        Assert.That(n.Mean, Is.EqualTo(new[] { 0.5f, 0.4f, 0.3f }));
        Assert.That(n.Std, Is.EqualTo(new[] { 0.2f, 0.2f, 0.1f }));
        Assert.That(c.Transforms[9], Is.TypeOf<RandomHorizontalFlip>());
    }

    [TestCase("")]
    [TestCase("none")]
    [TestCase("  NONE ")]
    public void EmptyOrNoneIsAnEmptyPipeline(string spec) => Assert.That(AugmentationSpec.Parse(spec).Transforms, Is.Empty);

    [Test]
    public void UnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => AugmentationSpec.Parse("crop:4,blur:3"))!;
        Assert.That(e.Message, Does.Contain("'blur'").And.Contain("item 2"));
        foreach (var name in AugmentationSpec.KnownNames) Assert.That(e.Message, Does.Contain(name));
    }

    [TestCase("rotate:abc", "'abc' is not a number")]
    [TestCase("crop:1.5", "not a whole number")]
    [TestCase("crop:4:mirror", "'mirror'")]
    [TestCase("flip:0.5:1", "at most 1")]
    [TestCase("crop:4,,flip", "item 2")]
    [TestCase("jitter:0.1:0.2", "one amount or three")]
    [TestCase("normalize:0.5", "mean and std")]
    [TestCase("flip:2", "probability")]
    [TestCase("crop:-1", "negative")]
    public void BadItemsAreExplained(string spec, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(() => AugmentationSpec.Parse(spec))!;
        Assert.That(e.Message, Does.StartWith("AugmentationSpec").And.Contain(fragment));
    }

    [Test]
    public void UsageMentionsEveryTransform()
    {
        foreach (var name in AugmentationSpec.KnownNames) Assert.That(AugmentationSpec.Usage, Does.Contain(name));
        Assert.That(AugmentationSpec.Parse("crop:4,flip").ToString(), Is.EqualTo("Compose(RandomCrop(padding=4, mode=Constant, fill=0), RandomHorizontalFlip(p=0.5))"));
    }
}
