using NetFromScratch.Cli;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Cli;

/// <summary><c>nfs train</c> end to end through Program.Main, in a temporary folder.</summary>
public class TrainCommandTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "nfs-train-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Test]
    public void OneEpochOnTheBuiltInDigitsWritesTheRunFolder()
    {
        string run = Path.Combine(_dir, "run");
        var (code, output, error) = NfsRunner.Run("train", "--epochs", "1", "--out", run);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("optdigits (built in)").And.Contain("3441 train / 382 validation / 1797 test"));
        Assert.That(output, Does.Contain("epoch  train_loss  train_acc  val_loss  val_acc"));
        Assert.That(output, Does.Contain("step: fused-mlp"));
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.That(last, Does.Match(@"^test_accuracy=0\.\d{4}$"));
        Assert.That(double.Parse(last.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0.8));
        foreach (var file in new[] { "metrics.csv", "curves.png", "model.safetensors", "checkpoint.safetensors", "options.txt", "summary.txt" })
            Assert.That(File.Exists(Path.Combine(run, file)), Is.True, file);
        var csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.That(csv, Has.Length.EqualTo(2));
        Assert.That(csv[0], Is.EqualTo("epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds,steps"));
        Assert.That(File.ReadAllBytes(Path.Combine(run, "curves.png"))[..4], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        Assert.That(File.ReadAllText(Path.Combine(run, "options.txt")), Does.Contain("optimizer=adam").And.Contain("batch_size=64"));
    }

    [Test]
    public void ResumeContinuesTheRunWithItsSettings()
    {
        string run = Path.Combine(_dir, "run");
        var first = NfsRunner.Run("train", "--epochs", "1", "--optimizer", "momentum", "--batch-size", "128", "--out", run);
        Assert.That(first.Code, Is.EqualTo(0), first.Error);
        var second = NfsRunner.Run("train", "--resume", Path.Combine(run, "checkpoint.safetensors"), "--epochs", "2");
        Assert.That(second.Code, Is.EqualTo(0), second.Error);
        Assert.That(second.Output, Does.Contain("resuming from").And.Contain("after epoch 1").And.Contain("SGD"));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(3));
        Assert.That(Checkpoint.Load(Path.Combine(run, "checkpoint.safetensors")).GetInteger("epoch"), Is.EqualTo(2));
    }

    [TestCase("--optimizer", "adagrad", "--batch-size", "0", "--schedule", "cosine")]
    [TestCase("--optimizer", "rmsprop", "--batch-size", "512", "--dropout", "0.2", "--l2", "0.0001", "--init", "xavier")]
    [TestCase("--optimizer", "adamw", "--model", "mlp:32", "--schedule", "onecycle", "--weight-decay", "0.05", "--val-split", "0", "--init", "default", "--label-smoothing", "0")]
    public void OptionsCombine(params string[] options)
    {
        var (code, output, error) = NfsRunner.Run(["train", "--epochs", "1", "--out", Path.Combine(_dir, "run"), .. options]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("test_accuracy="));
        Assert.That(output, Does.Contain($"device: cpu ({NetFromScratch.Tensors.Cpu.CpuParallel.MaxThreads} threads)"));
    }

    [Test]
    public void BadOptionsAreExplained()
    {
        var (code, _, error) = NfsRunner.Run("train", "--schedule", "wobbly", "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--schedule 'wobbly'"));
        (code, _, error) = NfsRunner.Run("train", "--device", "tpu", "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--device tpu"));
        (code, _, error) = NfsRunner.Run("train", "--dataset", "mnist", "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--data DIR"));
    }

    // ---- MNIST from small generated IDX files ---------------------------------------------------------------------

    /// <summary>Writes the four MNIST files: class k is a bright horizontal bar at row 2k + 4 of a 28x28 image, with noise.</summary>
    private static void WriteMnist(string dir, int train = 200, int test = 60, bool gzip = false, int? labelCount = null)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(4);
        void Pair(string images, string labels, int n)
        {
            var pixels = new byte[n * 28 * 28];
            var y = new byte[labelCount ?? n];
            for (int i = 0; i < n; i++)
            {
                int k = i % 10;
                if (i < y.Length) y[i] = (byte)k;
                for (int p = 0; p < 28 * 28; p++) pixels[i * 784 + p] = (byte)rng.Next(0, 40);
                for (int c = 2; c < 26; c++) pixels[i * 784 + (2 * k + 4) * 28 + c] = 255;
            }
            string suffix = gzip ? ".gz" : "";
            IdxFile.WriteBytes(Path.Combine(dir, images + suffix), [n, 28, 28], pixels, gzip);
            IdxFile.WriteBytes(Path.Combine(dir, labels + suffix), [y.Length], y, gzip);
        }
        Pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte", train);
        Pair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void MnistFromIdxFiles(bool gzip)
    {
        string data = Path.Combine(_dir, "mnist");
        WriteMnist(data, gzip: gzip);
        var (code, output, error) = NfsRunner.Run("train", "--dataset", "mnist", "--data", data, "--epochs", "3", "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("180 train / 20 validation / 60 test samples of [1, 28, 28]"));
        Assert.That(output, Does.Contain("test_accuracy=1.0000"));
    }

    [Test]
    public void MissingMnistFileIsNamed()
    {
        string data = Path.Combine(_dir, "mnist");
        WriteMnist(data);
        File.Delete(Path.Combine(data, "t10k-labels-idx1-ubyte"));
        var (code, _, error) = NfsRunner.Run("train", "--dataset", "mnist", "--data", data, "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("t10k-labels-idx1-ubyte").And.Contain("not found"));
    }

    [Test]
    public void WrongMagicNumberIsNamed()
    {
        string data = Path.Combine(_dir, "mnist");
        WriteMnist(data);
        string images = Path.Combine(data, "train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(images);
        bytes[0] = 0x1F;
        bytes[1] = 0x00;
        File.WriteAllBytes(images, bytes);
        var (code, _, error) = NfsRunner.Run("train", "--dataset", "mnist", "--data", data, "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(images).And.Contain("magic number"));
    }

    [Test]
    public void TruncatedFileIsNamed()
    {
        string data = Path.Combine(_dir, "mnist");
        WriteMnist(data);
        string images = Path.Combine(data, "t10k-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var (code, _, error) = NfsRunner.Run("train", "--dataset", "mnist", "--data", data, "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(images).And.Contain("truncated"));
    }

    [Test]
    public void ImageAndLabelCountsThatDifferAreNamed()
    {
        string data = Path.Combine(_dir, "mnist");
        WriteMnist(data, labelCount: 150);
        var (code, _, error) = NfsRunner.Run("train", "--dataset", "mnist", "--data", data, "--out", Path.Combine(_dir, "run"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("train-labels-idx1-ubyte").And.Contain("150 labels").And.Contain("200 images"));
    }

    [Test]
    public void DivergenceStopsWithAMessageAndExitCode2()
    {
        string run = Path.Combine(_dir, "run");
        var (code, _, error) = NfsRunner.Run("train", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "3", "--out", run);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("training diverged").And.Contain("epoch 1").And.Contain("lower learning rate"));
        Assert.That(File.Exists(Path.Combine(run, "metrics.csv")), Is.True);
    }

    [Test]
    public void TheCnnTrainsOnTheProceduralShapesWithAugmentation()
    {
        var (code, output, error) = NfsRunner.Run("train", "--dataset", "shapes", "--model", "cnn", "--epochs", "1", "--augment", "crop:4,flip", "--out", _dir);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("[3, 32, 32]").And.Contain("test_accuracy="));
        double accuracy = double.Parse(output.Split("test_accuracy=")[1].Trim().Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(accuracy, Is.GreaterThan(0.2), "one epoch learns well above the 10% of chance");
    }

    [Test]
    public void ImageDataSetsNameWhatTheyNeed()
    {
        var (code, _, error) = NfsRunner.Run("train", "--dataset", "cifar10", "--out", _dir);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(error, Does.Contain("--dataset cifar10 needs --data DIR"));
        var (code2, _, error2) = NfsRunner.Run("train", "--dataset", "shapes", "--augment", "spin:3", "--epochs", "1", "--out", _dir);
        Assert.That(code2, Is.Not.EqualTo(0));
        Assert.That(error2, Does.Contain("spin"));
    }
}
