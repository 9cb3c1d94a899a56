using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Data;

public class Cifar10Tests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-cifar-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    // Pixel byte of (file f, record r, channel c, row y, col x): a formula the test can recompute.
    private static byte Pixel(int f, int r, int c, int y, int x) => (byte)((f * 31 + r * 17 + c * 101 + y * 7 + x * 3) % 256);

    private static int Label(int f, int r) => (f * 3 + r) % 10;

    private static byte[] Records(int f, int count)
    {
        var bytes = new byte[count * Cifar10.RecordSize];
        for (int r = 0; r < count; r++)
        {
            int o = r * Cifar10.RecordSize;
            bytes[o] = (byte)Label(f, r);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        bytes[o + 1 + c * 1024 + y * 32 + x] = Pixel(f, r, c, y, x);
        }
        return bytes;
    }

    private void WriteAll(string dir, int perFile = 3)
    {
        Directory.CreateDirectory(dir);
        for (int f = 0; f < 5; f++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{f + 1}.bin"), Records(f, perFile));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(5, perFile));
    }

    [Test]
    public void LoadsPixelsAsChwPlanesAndLabelsInFileOrder()
    {
        WriteAll(_dir);
        var (train, test) = Cifar10.Load(_dir);
        Assert.That(train.Count, Is.EqualTo(15));
        Assert.That(test.Count, Is.EqualTo(3));
        Assert.That(train.SampleShape.ToArray(), Is.EqualTo(new[] { 3, 32, 32 }));
        Assert.That(train.ClassCount, Is.EqualTo(10));
        var sample = new float[3072];
        for (int f = 0; f < 5; f++)
        {
            for (int r = 0; r < 3; r++)
            {
                int label = train.CopySample(f * 3 + r, sample);
                Assert.That(label, Is.EqualTo(Label(f, r)));
                foreach (var (c, y, x) in new[] { (0, 0, 0), (1, 5, 9), (2, 31, 31), (2, 0, 31), (0, 17, 4) })
                    Assert.That(sample[c * 1024 + y * 32 + x], Is.EqualTo(Pixel(f, r, c, y, x) / 255f).Within(1e-7), $"file {f} record {r} ({c},{y},{x})");
            }
        }
        Assert.That(test.CopySample(2, sample), Is.EqualTo(Label(5, 2)));
        Assert.That(sample[1024 + 33], Is.EqualTo(Pixel(5, 2, 1, 1, 1) / 255f).Within(1e-7));
        Assert.That(Cifar10.ClassNames, Has.Count.EqualTo(10));
        Assert.That(Cifar10.ClassNames[0], Is.EqualTo("airplane"));
        Assert.That(Cifar10.ClassNames[9], Is.EqualTo("truck"));
    }

    [Test]
    public void FindsTheArchiveSubfolder()
    {
        WriteAll(Path.Combine(_dir, "cifar-10-batches-bin"), perFile: 1);
        var (train, test) = Cifar10.Load(_dir);
        Assert.That((train.Count, test.Count), Is.EqualTo((5, 1)));
    }

    [Test]
    public void SizeNotAWholeNumberOfRecordsNamesFileSizeAndRecordSize()
    {
        WriteAll(_dir);
        string bad = Path.Combine(_dir, "data_batch_2.bin");
        File.WriteAllBytes(bad, Records(1, 2).Concat(new byte[100]).ToArray());
        var e = Assert.Throws<DataFormatException>(() => Cifar10.Load(_dir))!;
        Assert.That(e.File, Is.EqualTo(bad));
        Assert.That(e.Message, Does.Contain("data_batch_2.bin").And.Contain("6246").And.Contain("3073").And.Contain("byte 6146"));
    }

    [Test]
    public void EmptyFileIsReported()
    {
        WriteAll(_dir);
        File.WriteAllBytes(Path.Combine(_dir, "test_batch.bin"), Array.Empty<byte>());
        var e = Assert.Throws<DataFormatException>(() => Cifar10.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("test_batch.bin").And.Contain("empty"));
    }

    [Test]
    public void LabelAboveNineNamesFileAndRecord()
    {
        WriteAll(_dir);
        string bad = Path.Combine(_dir, "data_batch_3.bin");
        var bytes = Records(2, 3);
        bytes[1 * Cifar10.RecordSize] = 10;
        File.WriteAllBytes(bad, bytes);
        var e = Assert.Throws<DataFormatException>(() => Cifar10.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("data_batch_3.bin").And.Contain("record 1").And.Contain("label 10"));
    }

    [Test]
    public void MissingFileNamesItAndTheFolder()
    {
        WriteAll(_dir);
        File.Delete(Path.Combine(_dir, "data_batch_4.bin"));
        var e = Assert.Throws<FileNotFoundException>(() => Cifar10.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("data_batch_4.bin").And.Contain(_dir));
    }

    [Test]
    public void MissingFolderIsNamed()
    {
        string missing = Path.Combine(_dir, "nowhere");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Cifar10.Load(missing))!;
        Assert.That(e.Message, Does.Contain(missing));
    }
}
