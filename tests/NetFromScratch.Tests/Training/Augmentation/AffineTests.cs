using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

/// <summary>Rotation, zoom and translation.</summary>
public class AffineTests
{
    [Test]
    public void RotationByZeroIsIdentity()
    {
        var shape = new Shape(3, 7, 9);
        var x = TensorAssert.RandomData(shape.Numel, 1);
        var y = (float[])x.Clone();
        new RandomRotation(0f).Apply(y, shape, new Generator(3));
        Assert.That(y, Is.EqualTo(x));
        RandomRotation.Rotate(y, new ImageLayout(3, 7, 9), 0f, fill: 5f);
        Assert.That(y, Is.EqualTo(x));
    }

    [TestCase(5)]
    [TestCase(6)]
    public void QuarterTurnIsCounterClockwise(int n)
    {
        // Counter-clockwise on screen: output (y, x) = input (x, n - 1 - y); the top-right corner goes to the top-left.
        var x = TensorAssert.RandomData(n * n, n);
        var y = (float[])x.Clone();
        RandomRotation.Rotate(y, new ImageLayout(1, n, n), 90f);
        var expected = new float[n * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                expected[r * n + c] = x[c * n + (n - 1 - r)];
        TensorAssert.Close(expected, y, 1e-5f, 0);
    }

    [Test]
    public void RotationFillsTheCornersAndKeepsTheCentre()
    {
        const int N = 9;
        var x = Enumerable.Repeat(1f, N * N).ToArray();
        RandomRotation.Rotate(x, new ImageLayout(1, N, N), 45f, fill: -1f);
        Assert.That(x[0], Is.EqualTo(-1f), "corner comes from outside");
        Assert.That(x[N * N - 1], Is.EqualTo(-1f));
        Assert.That(x[4 * N + 4], Is.EqualTo(1f), "centre stays");
        Assert.That(x.All(v => v >= -1f && v <= 1f), "bilinear blends stay between image and fill");
    }

    [Test]
    public void RandomRotationStaysWithinItsRange()
    {
        // A single bright pixel right of centre moves on a circle; its angle must stay within +-20 degrees.
        const int N = 21;
        var t = new RandomRotation(20f);
        for (ulong seed = 0; seed < 30; seed++)
        {
            var x = new float[N * N];
            x[10 * N + 18] = 1f;
            t.Apply(x, new Shape(1, N, N), new Generator(seed));
            int best = Array.IndexOf(x, x.Max());
            int by = best / N - 10, bx = best % N - 10;
            double angle = Math.Atan2(-by, bx) * 180 / Math.PI;
            Assert.That(Math.Abs(angle), Is.LessThanOrEqualTo(20 + 8), $"seed {seed}: peak at ({by}, {bx})");
        }
    }

    [Test]
    public void ZoomOfOneIsIdentityAndZoomInMagnifiesAboutTheCentre()
    {
        var shape = new Shape(2, 8, 8);
        var x = TensorAssert.RandomData(shape.Numel, 2);
        var y = (float[])x.Clone();
        new RandomZoom(1f, 1f).Apply(y, shape, new Generator(1));
        Assert.That(y, Is.EqualTo(x));

        // Zooming 2x into a horizontal ramp doubles its slope around the centre.
        const int N = 9;
        var ramp = new float[N * N];
        for (int r = 0; r < N; r++) for (int c = 0; c < N; c++) ramp[r * N + c] = c;
        new RandomZoom(2f, 2f).Apply(ramp, new Shape(1, N, N), new Generator(1));
        for (int c = 2; c <= 6; c++) Assert.That(ramp[4 * N + c], Is.EqualTo(4 + (c - 4) / 2f).Within(1e-5), $"column {c}");
    }

    [Test]
    public void ZoomOutLeavesAFillBorder()
    {
        const int N = 10;
        var x = Enumerable.Repeat(1f, N * N).ToArray();
        new RandomZoom(0.5f, 0.5f, fill: 0f).Apply(x, new Shape(1, N, N), new Generator(0));
        Assert.That(x[0], Is.EqualTo(0f));
        Assert.That(x[5 * N + 5], Is.EqualTo(1f));
    }

    [Test]
    public void TranslationIsAWholePixelShiftWithinTheLimit()
    {
        var shape = new Shape(1, 10, 10);
        var x = TensorAssert.RandomData(shape.Numel, 3).Select(v => v + 2f).ToArray();
        var t = new RandomTranslation(0.2f, 0.3f, fill: 0f);
        for (ulong seed = 0; seed < 40; seed++)
        {
            var y = (float[])x.Clone();
            t.Apply(y, shape, new Generator(seed));
            bool found = false;
            for (int ty = -3; ty <= 3 && !found; ty++)
                for (int tx = -2; tx <= 2 && !found; tx++)
                {
                    bool ok = true;
                    for (int r = 0; r < 10 && ok; r++)
                        for (int c = 0; c < 10 && ok; c++)
                        {
                            int sr = r - ty, sc = c - tx;
                            float e = sr >= 0 && sr < 10 && sc >= 0 && sc < 10 ? x[sr * 10 + sc] : 0f;
                            ok = y[r * 10 + c] == e;
                        }
                    found = ok;
                }
            Assert.That(found, $"seed {seed}: output is the input moved by at most (2, 3) pixels");
        }
    }
}
