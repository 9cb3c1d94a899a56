using NetFromScratch.Tests.Training.Augmentation;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;
using StbImageWriteSharp;

namespace NetFromScratch.Tests.Training.Data;

public class ImageFolderTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-imagefolder-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    // Interleaved 8-bit pixels whose value encodes (y, x, channel) and a per-image tag.
    private static byte[] Pattern(int h, int w, int comp, int tag)
    {
        var b = new byte[h * w * comp];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < comp; c++)
                    b[(y * w + x) * comp + c] = (byte)((tag * 13 + y * 40 + x * 20 + c * 70) % 256);
        return b;
    }

    private string Write(string relative, byte[] pixels, int h, int w, int comp, string format = "png")
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var s = File.Create(path);
        var writer = new ImageWriter();
        var components = comp == 1 ? ColorComponents.Grey : comp == 3 ? ColorComponents.RedGreenBlue : ColorComponents.RedGreenBlueAlpha;
        switch (format)
        {
            case "png": writer.WritePng(pixels, w, h, components, s); break;
            case "bmp": writer.WriteBmp(pixels, w, h, components, s); break;
            default: writer.WriteJpg(pixels, w, h, components, s, 100); break;
        }
        return path;
    }

    private static ImageFolderOptions Options(int h, int w, int channels = 3, bool lazy = false, BadImagePolicy policy = BadImagePolicy.Skip, TextWriter? log = null) =>
        new() { Height = h, Width = w, Channels = channels, Lazy = lazy, OnBadImage = policy, Log = log ?? TextWriter.Null, DecodeThreads = 2 };

    // The expected CHW floats of Pattern at its own size.
    private static float[] Planes(byte[] interleaved, int h, int w, int comp)
    {
        var f = new float[comp * h * w];
        for (int i = 0; i < h * w; i++)
            for (int c = 0; c < comp; c++)
                f[c * h * w + i] = interleaved[i * comp + c] / 255f;
        return f;
    }

    private static float[] Sample(IDataset d, int i, out int label)
    {
        var s = new float[d.SampleShape.Numel];
        label = d.CopySample(i, s);
        return s;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ClassesAreSortedFolderNamesAndPngBmpDecodeExactly(bool lazy)
    {
        var a0 = Pattern(4, 5, 3, 0);
        var b0 = Pattern(4, 5, 3, 1);
        var b1 = Pattern(4, 5, 4, 2);
        Write("zebra/0.png", a0, 4, 5, 3);
        Write("apple/1.bmp", b0, 4, 5, 3, "bmp");
        Write("apple/sub/2.png", b1, 4, 5, 4);
        var d = new ImageFolderDataset(_dir, Options(4, 5, lazy: lazy));
        Assert.That(d.ClassNames, Is.EqualTo(new[] { "apple", "zebra" }));
        Assert.That(d.Count, Is.EqualTo(3));
        Assert.That(d.IsLazy, Is.EqualTo(lazy));
        Assert.That(d.SampleShape.ToArray(), Is.EqualTo(new[] { 3, 4, 5 }));
        Assert.That(d.ClassCounts, Is.EqualTo(new[] { 2, 1 }));
        // Sample order: apple/1.bmp, apple/sub/2.png, zebra/0.png.
        TensorAssert.Close(Planes(b0, 4, 5, 3), Sample(d, 0, out int l0), 1e-7f, 0);
        Assert.That(l0, Is.EqualTo(0));
        var rgbaAsRgb = Planes(b1, 4, 5, 4)[..(3 * 20)]; // alpha plane dropped
        TensorAssert.Close(rgbaAsRgb, Sample(d, 1, out _), 1e-7f, 0);
        TensorAssert.Close(Planes(a0, 4, 5, 3), Sample(d, 2, out int l2), 1e-7f, 0);
        Assert.That(l2, Is.EqualTo(1));
        Assert.That(d.Warnings, Is.Empty);
    }

    [Test]
    public void JpegDecodesCloseToTheOriginal()
    {
        // A smooth image, so the lossy codec at quality 100 stays within a few levels.
        var px = new byte[16 * 16 * 3];
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                for (int c = 0; c < 3; c++)
                    px[(y * 16 + x) * 3 + c] = (byte)(60 + 4 * y + 3 * x + 20 * c);
        Write("a/photo.jpg", px, 16, 16, 3, "jpg");
        Write("b/photo.JPEG", px, 16, 16, 3, "jpg");
        var d = new ImageFolderDataset(_dir, Options(16, 16));
        Assert.That(d.Count, Is.EqualTo(2));
        TensorAssert.Close(Planes(px, 16, 16, 3), Sample(d, 0, out _), 6f / 255f, 0);
    }

    [Test]
    public void GreyBecomesRgbByRepetitionAndRgbBecomesGreyByLuma()
    {
        var grey = Pattern(3, 4, 1, 5);
        var rgb = Pattern(3, 4, 3, 6);
        Write("g/grey.png", grey, 3, 4, 1);
        Write("r/rgb.png", rgb, 3, 4, 3);
        var asRgb = new ImageFolderDataset(_dir, Options(3, 4, channels: 3));
        var g = Sample(asRgb, 0, out _);
        var gp = Planes(grey, 3, 4, 1);
        TensorAssert.Close(gp.Concat(gp).Concat(gp).ToArray(), g, 1e-7f, 0);

        var asGrey = new ImageFolderDataset(_dir, Options(3, 4, channels: 1));
        Assert.That(asGrey.SampleShape.ToArray(), Is.EqualTo(new[] { 1, 3, 4 }));
        TensorAssert.Close(gp, Sample(asGrey, 0, out _), 1e-7f, 0);
        var luma = new float[12];
        for (int i = 0; i < 12; i++) luma[i] = (0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2]) / 255f;
        TensorAssert.Close(luma, Sample(asGrey, 1, out _), 1e-6f, 0);
    }

    [Test]
    public void ImagesAreResizedBilinearly()
    {
        var px = Pattern(6, 9, 3, 3);
        Write("c/img.png", px, 6, 9, 3);
        var d = new ImageFolderDataset(_dir, Options(4, 5));
        var expected = BilinearTests.Reference(Planes(px, 6, 9, 3), 3, 6, 9, 4, 5);
        TensorAssert.Close(expected, Sample(d, 0, out _), 1e-6f, 0);
    }

    [Test]
    public void CorruptImageIsSkippedWithAWarningOrFailsPerOption()
    {
        Write("a/good.png", Pattern(4, 4, 3, 0), 4, 4, 3);
        Write("b/good.png", Pattern(4, 4, 3, 1), 4, 4, 3);
        string corrupt = Path.Combine(_dir, "a", "corrupt.png");
        File.WriteAllBytes(corrupt, TensorAssert.RandomData(300, 4).Select(v => (byte)(v * 127 + 128)).ToArray());
        var log = new StringWriter();
        var d = new ImageFolderDataset(_dir, Options(4, 4, log: log));
        Assert.That(d.Count, Is.EqualTo(2));
        Assert.That(d.Files.Any(f => f.EndsWith("corrupt.png")), Is.False);
        Assert.That(d.Warnings, Has.Count.EqualTo(1));
        Assert.That(d.Warnings[0], Does.StartWith("skipped: ").And.Contain(corrupt));
        Assert.That(log.ToString(), Does.Contain(corrupt));

        var e = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(_dir, Options(4, 4, policy: BadImagePolicy.Fail)))!;
        Assert.That(e.File, Is.EqualTo(corrupt));
        Assert.That(e.Message, Does.Contain("corrupt.png").And.Contain("Fail"));

        // Lazy mode catches it at the header check.
        var lazy = new ImageFolderDataset(_dir, Options(4, 4, lazy: true));
        Assert.That(lazy.Count, Is.EqualTo(2));
        Assert.That(lazy.Warnings[0], Does.Contain(corrupt));
    }

    [Test]
    public void TruncatedImageIsSkippedEagerlyAndBlankOrFatalLazily()
    {
        Write("a/good.png", Pattern(8, 8, 3, 0), 8, 8, 3);
        // A large noisy image: its header survives truncation, its compressed data does not.
        var noise = TensorAssert.RandomData(64 * 64 * 3, 9).Select(v => (byte)(v * 127 + 128)).ToArray();
        string full = Write("a/truncated.png", noise, 64, 64, 3);
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(full, bytes[..(bytes.Length / 2)]);

        var eager = new ImageFolderDataset(_dir, Options(8, 8));
        Assert.That(eager.Count, Is.EqualTo(1));
        Assert.That(eager.Warnings.Single(), Does.Contain("truncated.png"));

        var lazy = new ImageFolderDataset(_dir, Options(8, 8, lazy: true));
        Assert.That(lazy.Count, Is.EqualTo(2), "the header is intact, so lazy mode keeps the file");
        var s = new float[3 * 64];
        s.AsSpan().Fill(7f);
        Assert.That(lazy.CopySample(1, s), Is.EqualTo(0));
        Assert.That(s.All(v => v == 0f), "a bad file reads as a blank image under Skip");
        lazy.CopySample(1, s);
        Assert.That(lazy.Warnings, Has.Count.EqualTo(1), "warned once per file");
        Assert.That(lazy.Warnings[0], Does.Contain("truncated.png"));

        var strict = new ImageFolderDataset(_dir, Options(8, 8, lazy: true, policy: BadImagePolicy.Fail));
        var e = Assert.Throws<DataFormatException>(() => strict.CopySample(1, s))!;
        Assert.That(e.Message, Does.Contain("truncated.png"));
    }

    [Test]
    public void NonImageFilesAndHiddenFoldersAreIgnoredWithANote()
    {
        Write("cat/a.png", Pattern(4, 4, 3, 0), 4, 4, 3);
        File.WriteAllText(Path.Combine(_dir, "cat", "notes.txt"), "hello");
        File.WriteAllText(Path.Combine(_dir, "labels.csv"), "x");
        Directory.CreateDirectory(Path.Combine(_dir, ".ipynb_checkpoints"));
        var d = new ImageFolderDataset(_dir, Options(4, 4));
        Assert.That(d.Count, Is.EqualTo(1));
        Assert.That(d.ClassNames, Is.EqualTo(new[] { "cat" }));
        Assert.That(d.Warnings, Has.Count.EqualTo(3));
        Assert.That(d.Warnings.Any(w => w.StartsWith("ignored: ") && w.Contains("notes.txt") && w.Contains("not an image")));
        Assert.That(d.Warnings.Any(w => w.Contains("labels.csv") && w.Contains("root")));
        Assert.That(d.Warnings.Any(w => w.Contains(".ipynb_checkpoints")));
    }

    [Test]
    public void EmptyClassFolderIsAnErrorNamingIt()
    {
        Write("a/x.png", Pattern(4, 4, 3, 0), 4, 4, 3);
        string empty = Path.Combine(_dir, "b");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.md"), "no images here");
        var e = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(_dir, Options(4, 4)))!;
        Assert.That(e.File, Is.EqualTo(empty));
        Assert.That(e.Message, Does.Contain("'b'").And.Contain("no image files"));
    }

    [Test]
    public void ClassWhoseImagesAllFailIsAnError()
    {
        Write("a/x.png", Pattern(4, 4, 3, 0), 4, 4, 3);
        Directory.CreateDirectory(Path.Combine(_dir, "b"));
        File.WriteAllBytes(Path.Combine(_dir, "b", "broken.png"), new byte[] { 1, 2, 3 });
        var e = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(_dir, Options(4, 4)))!;
        Assert.That(e.Message, Does.Contain("'b'").And.Contain("none of its 1 image files"));
    }

    [Test]
    public void MissingRootAndRootWithoutClassesAreNamed()
    {
        string missing = Path.Combine(_dir, "missing");
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(missing, Options(4, 4)))!;
        Assert.That(e1.Message, Does.Contain(missing));
        var e2 = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(_dir, Options(4, 4)))!;
        Assert.That(e2.Message, Does.Contain(_dir).And.Contain("no class subfolders"));
    }

    [Test]
    public void LazyReadsMatchEagerReadsFromManyThreads()
    {
        for (int i = 0; i < 12; i++) Write($"c{i % 3}/{i}.png", Pattern(10, 7, 3, i), 10, 7, 3);
        var eager = new ImageFolderDataset(_dir, Options(6, 6));
        var lazy = new ImageFolderDataset(_dir, Options(6, 6, lazy: true));
        var expected = Enumerable.Range(0, eager.Count).Select(i => Sample(eager, i, out _)).ToArray();
        var got = new float[48][];
        Parallel.For(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => got[k] = Sample(lazy, k % 12, out _));
        for (int k = 0; k < 48; k++) Assert.That(got[k], Is.EqualTo(expected[k % 12]), $"read {k}");
        Assert.That(lazy.ToInMemory().Labels.ToArray(), Is.EqualTo(eager.Labels.ToArray()));
    }

    [Test]
    public void WorksWithTheDataLoaderAndAugmentation()
    {
        for (int i = 0; i < 6; i++) Write($"c{i % 2}/{i}.png", Pattern(8, 8, 3, i), 8, 8, 3);
        var d = new ImageFolderDataset(_dir, Options(8, 8, lazy: true));
        var loader = new DataLoader(d, 4, seed: 1, transform: AugmentationSpec.Parse("crop:2,flip"));
        int seen = 0;
        foreach (var batch in loader) using (batch) seen += batch.Size;
        Assert.That(seen, Is.EqualTo(6));
    }
}
