using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Data;

public class IdxAndMnistTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("nfs-idx-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    // A tiny MNIST-shaped set: n images of 3x4 pixels whose value encodes (sample, pixel), labels i % 10.
    private void WriteMnist(int nTrain, int nTest, bool gzip, int? labelCount = null)
    {
        void Pair(string images, string labels, int n, int nLabels)
        {
            var px = new byte[n * 12];
            for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 7 % 256);
            IdxFile.WriteBytes(Path.Combine(_dir, images + (gzip ? ".gz" : "")), new[] { n, 3, 4 }, px, gzip);
            var lb = new byte[nLabels];
            for (int i = 0; i < nLabels; i++) lb[i] = (byte)(i % 10);
            IdxFile.WriteBytes(Path.Combine(_dir, labels + (gzip ? ".gz" : "")), new[] { nLabels }, lb, gzip);
        }
        Pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte", nTrain, labelCount ?? nTrain);
        Pair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", nTest, nTest);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void LoadsTheFourFilesPlainOrGzipped(bool gzip)
    {
        WriteMnist(25, 7, gzip);
        var (train, test) = Mnist.Load(_dir);
        Assert.That(train.Count, Is.EqualTo(25));
        Assert.That(test.Count, Is.EqualTo(7));
        Assert.That(train.SampleShape.ToArray(), Is.EqualTo(new[] { 1, 3, 4 }));
        var sample = new float[12];
        int label = train.CopySample(2, sample);
        Assert.That(label, Is.EqualTo(2));
        Assert.That(sample[1], Is.EqualTo((2 * 12 + 1) * 7 % 256 / 255f).Within(1e-6));
    }

    [Test]
    public void MissingFileNamesItAndTheDirectory()
    {
        WriteMnist(5, 5, false);
        File.Delete(Path.Combine(_dir, "t10k-labels-idx1-ubyte"));
        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("t10k-labels-idx1-ubyte").And.Contain(_dir));
    }

    [Test]
    public void WrongMagicNumberIsReported()
    {
        string p = Path.Combine(_dir, "bad");
        File.WriteAllBytes(p, new byte[] { 0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5 });
        var e = Assert.Throws<DataFormatException>(() => IdxFile.ReadBytes(p))!;
        Assert.That(e.Message, Does.Contain(p).And.Contain("magic number 0x12340801"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TruncatedFileIsReportedWithTheOffset(bool gzip)
    {
        string p = Path.Combine(_dir, "t");
        IdxFile.WriteBytes(p, new[] { 4, 2, 2 }, new byte[16], gzip);
        var bytes = File.ReadAllBytes(p);
        if (gzip)
        {
            // Re-compress a shortened payload: the header still promises 16 bytes.
            IdxFile.WriteBytes(p, new[] { 4, 2, 2 }, new byte[10], gzip: true);
        }
        else File.WriteAllBytes(p, bytes[..^3]);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.ReadBytes(p))!;
        Assert.That(e.Message, Does.Contain(p).And.Contain("truncated"));
    }

    [Test]
    public void ImageAndLabelCountsMustMatch()
    {
        WriteMnist(10, 3, false, labelCount: 9);
        var e = Assert.Throws<DataFormatException>(() => Mnist.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("train-labels-idx1-ubyte").And.Contain("9 labels").And.Contain("10 images"));
    }
}
