using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

public class RandomCropTests
{
    // Output (y, x) = input (y + dy, x + dx), zero outside: the padded-then-cropped image.
    private static float[] Shifted(float[] x, int c, int h, int w, int dy, int dx)
    {
        var y = new float[x.Length];
        for (int k = 0; k < c; k++)
            for (int r = 0; r < h; r++)
                for (int col = 0; col < w; col++)
                {
                    int sr = r + dy, sc = col + dx;
                    y[(k * h + r) * w + col] = sr >= 0 && sr < h && sc >= 0 && sc < w ? x[(k * h + sr) * w + sc] : 0f;
                }
        return y;
    }

    [Test]
    public void OutputIsTheInputShiftedByAtMostThePaddingWithZeros()
    {
        const int P = 3;
        var shape = new Shape(3, 8, 7);
        var x = TensorAssert.RandomData(shape.Numel, 1).Select(v => v + 2f).ToArray(); // no zeros in the image
        var offsets = new HashSet<(int, int)>();
        for (ulong seed = 0; seed < 200; seed++)
        {
            var y = (float[])x.Clone();
            new RandomCrop(P).Apply(y, shape, new Generator(seed));
            var match = (from dy in Enumerable.Range(-P, 2 * P + 1)
                         from dx in Enumerable.Range(-P, 2 * P + 1)
                         where Shifted(x, 3, 8, 7, dy, dx).SequenceEqual(y)
                         select (dy, dx)).ToList();
            Assert.That(match, Has.Count.EqualTo(1), $"seed {seed}: the output is one shift of the input");
            offsets.Add(match[0]);
        }
        Assert.That(offsets, Has.Count.GreaterThan(35), "most of the 49 offsets occur");
    }

    [TestCase(PadMode.Constant)]
    [TestCase(PadMode.Reflect)]
    [TestCase(PadMode.Replicate)]
    public void ShiftsMatchAPerPixelReferenceEvenBeyondTheImage(PadMode mode)
    {
        var layout = new ImageLayout(2, 5, 6);
        var x = TensorAssert.RandomData(layout.Numel, 7);
        foreach (var (dy, dx) in new[] { (1, 2), (-3, 4), (0, -5), (7, 9), (-8, -11), (2, 6), (0, -6) })
        {
            var y = (float[])x.Clone();
            RandomCrop.Shift(y, layout, dy, dx, mode, 0.5f);
            for (int c = 0; c < 2; c++)
                for (int r = 0; r < 5; r++)
                    for (int col = 0; col < 6; col++)
                    {
                        int sr = RandomCrop.SourceIndex(r + dy, 5, mode), sc = RandomCrop.SourceIndex(col + dx, 6, mode);
                        float e = sr < 0 || sc < 0 ? 0.5f : x[(c * 5 + sr) * 6 + sc];
                        Assert.That(y[(c * 5 + r) * 6 + col], Is.EqualTo(e), $"shift ({dy}, {dx}) at ({c}, {r}, {col})");
                    }
        }
    }

    [Test]
    public void PaddingZeroIsIdentity()
    {
        var shape = new Shape(3, 4, 4);
        var x = TensorAssert.RandomData(shape.Numel, 2);
        var y = (float[])x.Clone();
        new RandomCrop(0).Apply(y, shape, new Generator(9));
        Assert.That(y, Is.EqualTo(x));
    }

    [Test]
    public void ReflectAndEdgeModesReadTheRightPixels()
    {
        // One row 0 1 2 3: reflect pads as 2 1 | 0 1 2 3 | 2 1, edge as 0 0 | 0 1 2 3 | 3 3.
        var layout = new ImageLayout(1, 1, 4);
        var row = new float[] { 0, 1, 2, 3 };
        var a = (float[])row.Clone();
        RandomCrop.Shift(a, layout, 0, -2, PadMode.Reflect, 0);
        Assert.That(a, Is.EqualTo(new float[] { 2, 1, 0, 1 }));
        var b = (float[])row.Clone();
        RandomCrop.Shift(b, layout, 0, 2, PadMode.Reflect, 0);
        Assert.That(b, Is.EqualTo(new float[] { 2, 3, 2, 1 }));
        var c = (float[])row.Clone();
        RandomCrop.Shift(c, layout, 0, -2, PadMode.Replicate, 0);
        Assert.That(c, Is.EqualTo(new float[] { 0, 0, 0, 1 }));
        var d = (float[])row.Clone();
        RandomCrop.Shift(d, layout, 0, 3, PadMode.Constant, 9);
        Assert.That(d, Is.EqualTo(new float[] { 3, 9, 9, 9 }));
        // Padding wider than the image keeps mirroring.
        Assert.That(Enumerable.Range(-7, 15).Select(i => RandomCrop.SourceIndex(i, 4, PadMode.Reflect)),
            Is.EqualTo(new[] { 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1 }));
    }

    [Test]
    public void ResizedCropStaysInsideTheImageAndCoversTheScaleRange()
    {
        var t = new RandomResizedCrop(0.25f, 1f);
        var layout = new ImageLayout(3, 32, 32);
        double minArea = 1, maxArea = 0;
        for (ulong seed = 0; seed < 300; seed++)
        {
            var (top, left, h, w) = t.Window(layout, new Generator(seed));
            Assert.That(top >= 0 && left >= 0 && top + h <= 32 && left + w <= 32 && h > 0 && w > 0, $"window {top},{left},{h},{w}");
            double area = h * w / 1024.0;
            minArea = Math.Min(minArea, area);
            maxArea = Math.Max(maxArea, area);
            Assert.That((double)w / h, Is.InRange(0.75 * 0.85, 4.0 / 3 * 1.15), "ratio within range up to rounding");
        }
        Assert.That(minArea, Is.LessThan(0.35));
        Assert.That(maxArea, Is.GreaterThan(0.85));
    }

    [Test]
    public void ResizedCropResamplesItsWindow()
    {
        var t = new RandomResizedCrop(0.3f, 0.6f);
        var shape = new Shape(2, 9, 11);
        var layout = new ImageLayout(2, 9, 11);
        var x = TensorAssert.RandomData(shape.Numel, 5);
        var y = (float[])x.Clone();
        t.Apply(y, shape, new Generator(17));
        var (top, left, h, w) = t.Window(layout, new Generator(17));
        TensorAssert.Close(BilinearTests.Reference(x, 2, 9, 11, 9, 11, top, left, h, w), y, 1e-6f, 1e-5f);
    }
}
