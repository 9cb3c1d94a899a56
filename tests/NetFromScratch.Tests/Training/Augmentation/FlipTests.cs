using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

public class FlipTests
{
    private static readonly Shape S = new(2, 3, 5);

    [Test]
    public void HorizontalFlipReversesColumnsAndTwiceIsIdentity()
    {
        var x = TensorAssert.RandomData(S.Numel, 1);
        var y = (float[])x.Clone();
        new RandomHorizontalFlip(1f).Apply(y, S, new Generator(0));
        for (int c = 0; c < 2; c++)
            for (int r = 0; r < 3; r++)
                for (int col = 0; col < 5; col++)
                    Assert.That(y[(c * 3 + r) * 5 + col], Is.EqualTo(x[(c * 3 + r) * 5 + 4 - col]));
        new RandomHorizontalFlip(1f).Apply(y, S, new Generator(1));
        Assert.That(y, Is.EqualTo(x));
    }

    [Test]
    public void VerticalFlipReversesRowsAndTwiceIsIdentity()
    {
        var x = TensorAssert.RandomData(S.Numel, 2);
        var y = (float[])x.Clone();
        new RandomVerticalFlip(1f).Apply(y, S, new Generator(0));
        for (int c = 0; c < 2; c++)
            for (int r = 0; r < 3; r++)
                for (int col = 0; col < 5; col++)
                    Assert.That(y[(c * 3 + r) * 5 + col], Is.EqualTo(x[(c * 3 + 2 - r) * 5 + col]));
        new RandomVerticalFlip(1f).Apply(y, S, new Generator(1));
        Assert.That(y, Is.EqualTo(x));
    }

    [Test]
    public void ProbabilityZeroNeverFlipsAndOneHalfFlipsAboutHalf()
    {
        var x = TensorAssert.RandomData(S.Numel, 3);
        int flipped = 0;
        for (ulong seed = 0; seed < 400; seed++)
        {
            var y = (float[])x.Clone();
            new RandomHorizontalFlip(0f).Apply(y, S, new Generator(seed));
            Assert.That(y, Is.EqualTo(x));
            new RandomHorizontalFlip().Apply(y, S, new Generator(seed));
            if (!y.SequenceEqual(x)) flipped++;
        }
        Assert.That(flipped, Is.InRange(160, 240));
    }
}
