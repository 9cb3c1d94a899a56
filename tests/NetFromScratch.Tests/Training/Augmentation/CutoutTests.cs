using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

public class CutoutTests
{
    [TestCase(4, 10, 12)]
    [TestCase(1, 5, 5)]
    [TestCase(8, 8, 8)]
    public void ErasesOneSquareOfTheGivenSizeInEveryChannel(int size, int h, int w)
    {
        var shape = new Shape(3, h, w);
        for (ulong seed = 0; seed < 25; seed++)
        {
            var x = Enumerable.Repeat(1f, shape.Numel).ToArray();
            new Cutout(size).Apply(x, shape, new Generator(seed));
            for (int c = 0; c < 3; c++)
            {
                var zeros = Enumerable.Range(0, h * w).Where(i => x[c * h * w + i] == 0f).ToList();
                Assert.That(zeros, Has.Count.EqualTo(size * size));
                int top = zeros.Min(i => i / w), bottom = zeros.Max(i => i / w);
                int left = zeros.Min(i => i % w), right = zeros.Max(i => i % w);
                Assert.That((bottom - top + 1, right - left + 1), Is.EqualTo((size, size)), "a contiguous square");
            }
            Assert.That(x.Count(v => v == 1f), Is.EqualTo(shape.Numel - 3 * size * size));
        }
    }

    [Test]
    public void SquareLargerThanTheImageIsClippedAndProbabilityZeroErasesNothing()
    {
        var shape = new Shape(1, 4, 6);
        var x = Enumerable.Repeat(1f, 24).ToArray();
        new Cutout(5, fill: 0.5f).Apply(x, shape, new Generator(1));
        Assert.That(x.Count(v => v == 0.5f), Is.EqualTo(4 * 5));
        var y = Enumerable.Repeat(1f, 24).ToArray();
        new Cutout(3, probability: 0f).Apply(y, shape, new Generator(1));
        Assert.That(y, Has.All.EqualTo(1f));
    }
}
