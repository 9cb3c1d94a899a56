using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Tests.Training.Augmentation;

public class BilinearTests
{
    /// <summary>
    /// Plain bilinear resize with PyTorch's align_corners=False rule, written per output pixel in double precision:
    /// source coordinate (d + 0.5) * in / out - 0.5, clamped to [0, in - 1], blended between its two neighbours.
    /// </summary>
    public static float[] Reference(float[] src, int channels, int h, int w, int oh, int ow, int top = 0, int left = 0, int rh = -1, int rw = -1)
    {
        if (rh < 0) rh = h;
        if (rw < 0) rw = w;
        var dst = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++)
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        {
            double sy = Math.Max((y + 0.5) * rh / oh - 0.5, 0), sx = Math.Max((x + 0.5) * rw / ow - 0.5, 0);
            int y0 = Math.Min((int)Math.Floor(sy), rh - 1), x0 = Math.Min((int)Math.Floor(sx), rw - 1);
            int y1 = Math.Min(y0 + 1, rh - 1), x1 = Math.Min(x0 + 1, rw - 1);
            double fy = sy - y0, fx = sx - x0;
            double At(int yy, int xx) => src[c * h * w + (top + yy) * w + left + xx];
            dst[c * oh * ow + y * ow + x] = (float)((1 - fy) * ((1 - fx) * At(y0, x0) + fx * At(y0, x1)) + fy * ((1 - fx) * At(y1, x0) + fx * At(y1, x1)));
        }
        return dst;
    }

    [Test]
    public void MatchesTorchOnTheTwoByTwoExample()
    {
        // torch.nn.functional.interpolate(torch.arange(4.).view(1,1,2,2), size=4, mode="bilinear", align_corners=False)
        var dst = new float[16];
        Bilinear.Resize(new float[] { 0, 1, 2, 3 }, new ImageLayout(1, 2, 2), dst, 4, 4);
        Assert.That(dst, Is.EqualTo(new[] { 0f, 0.25f, 0.75f, 1f, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2f, 2.25f, 2.75f, 3f }));
    }

    [TestCase(2, 5, 7, 3, 4)]
    [TestCase(3, 3, 3, 7, 5)]
    [TestCase(1, 1, 6, 4, 1)]
    [TestCase(3, 9, 4, 9, 13)]
    public void MatchesTheScalarReference(int c, int h, int w, int oh, int ow)
    {
        var src = TensorAssert.RandomData(c * h * w, h * 31 + w);
        var dst = new float[c * oh * ow];
        Bilinear.Resize(src, new ImageLayout(c, h, w), dst, oh, ow);
        TensorAssert.Close(Reference(src, c, h, w, oh, ow), dst, 1e-6f, 1e-5f);
    }

    [Test]
    public void SameSizeIsAnExactCopy()
    {
        var src = TensorAssert.RandomData(3 * 5 * 6, 2);
        var dst = new float[src.Length];
        Bilinear.Resize(src, new ImageLayout(3, 5, 6), dst, 5, 6);
        Assert.That(dst, Is.EqualTo(src));
    }

    [Test]
    public void RegionResizeEqualsCuttingOutFirst()
    {
        var src = TensorAssert.RandomData(2 * 8 * 9, 3);
        var dst = new float[2 * 6 * 6];
        Bilinear.ResizeRegion(src, new ImageLayout(2, 8, 9), 2, 3, 4, 5, dst, 6, 6);
        TensorAssert.Close(Reference(src, 2, 8, 9, 6, 6, 2, 3, 4, 5), dst, 1e-6f, 1e-5f);
    }

    [Test]
    public void RegionOutsideTheImageIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Bilinear.ResizeRegion(new float[16], new ImageLayout(1, 4, 4), 2, 2, 3, 2, new float[4], 2, 2))!;
        Assert.That(e.Message, Does.Contain("Bilinear").And.Contain("4x4"));
    }
}
