using System.Globalization;
using NetFromScratch.Cli;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Serialization;
using NetFromScratch.Training.Checkpoints;

namespace NetFromScratch.Tests.Cli;

/// <summary>
/// <c>nfs finetune --resume</c>: a run cut into pieces and resumed ends where the uninterrupted run ends, and bad
/// checkpoints are refused in one line. The backbone is a tiny ONNX classifier so each run takes a fraction of a second.
/// </summary>
public class FinetuneResumeTests
{
    private string _root = "";
    private string _images = "";
    private string _backbone = "";

    [OneTimeSetUp]
    public void WriteFolderAndBackbone()
    {
        _root = Path.Combine(Path.GetTempPath(), "nfs-ftresume-" + Guid.NewGuid().ToString("N"));
        _images = Path.Combine(_root, "images");
        FinetuneCommandTests.WriteShapes(_images, classes: 2, perClass: 4, size: 16);
        _backbone = Path.Combine(_root, "tiny.onnx");
        TinyClassifier(_backbone);
    }

    [OneTimeTearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A small pretrained-looking CNN classifier as ONNX: blocks 0, 1 and 4 below a Linear head.</summary>
    internal static void TinyClassifier(string path)
    {
        var model = new Sequential(
            new Conv2d(3, 4, 3, padding: 1, generator: new Generator(21)), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 6, 3, padding: 1, generator: new Generator(22)), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(),
            new Linear(6, 5, generator: new Generator(23)));
        OnnxExporter.Save(model, path, new Shape(1, 3, 16, 16));
    }

    private string[] Settings(string augment) =>
    [
        "--backbone", _backbone, "--data", _images, "--input-size", "16", "--batch-size", "2", "--val-split", "0.25", "--unfreeze-every", "2",
        "--head-hidden", "8", "--head-dropout", "0.25", "--lr", "0.01", "--lr-decay", "0.5", "--augment", augment, "--seed", "7", "--device", "cpu",
    ];

    // Every column but the seconds, which differ from run to run.
    private static string[] MetricsWithoutTime(string folder) =>
        File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Select(line => string.Join(",", line.Split(',').Where((_, i) => i != 6))).ToArray();

    private static void AssertSameWeights(string expected, string actual)
    {
        var a = SafeTensors.Load(expected).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        var b = SafeTensors.Load(actual).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.That(b.Keys, Is.EquivalentTo(a.Keys));
        foreach (var (name, t) in a)
            Assert.That(b[name].ToArray(), Is.EqualTo(t.ToArray()), name);
    }

    // With augmentation nothing is cached: every epoch trains on images, and resuming at 2 and 4 crosses the unfreezing
    // at epoch 3. Without it, epochs 1-2 train the head on cached features: resuming at 1 continues the cached phase, at 2
    // starts the image phase from a checkpoint of the cached one, and at 4 continues the image phase.
    [TestCase("flip,crop:2", new[] { 2, 4 })]
    [TestCase("none", new[] { 1, 2, 4 })]
    public void AnInterruptedRunResumedEndsWhereTheUninterruptedRunEnds(string augment, int[] stops)
    {
        const int epochs = 5;
        string straight = Path.Combine(_root, $"straight-{augment.Replace(',', '-').Replace(':', '-')}");
        var whole = NfsRunner.Run(["finetune", .. Settings(augment), "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--out", straight]);
        Assert.That(whole.Code, Is.Zero, whole.Error + whole.Output);
        Assert.That(whole.Output, Does.Contain("epoch 3: unfroze 4").And.Contain("epoch 5: unfroze 1"));

        string pieces = straight + "-resumed";
        var first = NfsRunner.Run(["finetune", .. Settings(augment), "--epochs", stops[0].ToString(CultureInfo.InvariantCulture), "--out", pieces]);
        Assert.That(first.Code, Is.Zero, first.Error + first.Output);
        string checkpoint = Path.Combine(pieces, "checkpoint.safetensors");
        foreach (int stop in stops.Skip(1).Append(epochs))
        {
            var next = NfsRunner.Run("finetune", "--resume", checkpoint, "--epochs", stop.ToString(CultureInfo.InvariantCulture));
            Assert.That(next.Code, Is.Zero, next.Error + next.Output);
            Assert.That(next.Output, Does.Contain("resuming from " + checkpoint + " after epoch"));
        }

        AssertSameWeights(Path.Combine(straight, "model.safetensors"), Path.Combine(pieces, "model.safetensors"));
        AssertSameWeights(Path.Combine(straight, "best.safetensors"), Path.Combine(pieces, "best.safetensors"));
        Assert.That(MetricsWithoutTime(pieces), Is.EqualTo(MetricsWithoutTime(straight)));
        var state = Checkpoint.Load(checkpoint);
        Assert.That(state.GetInteger("finetune.epoch"), Is.EqualTo(epochs));
        string Summary(string folder) => File.ReadAllLines(Path.Combine(folder, "summary.txt")).Single(l => l.StartsWith("final validation accuracy", StringComparison.Ordinal));
        Assert.That(Summary(pieces), Is.EqualTo(Summary(straight)));
    }

    [Test]
    public void ResumingIntoANewFolderWithMoreEpochsKeepsTheSettings()
    {
        string run = Path.Combine(_root, "first");
        var first = NfsRunner.Run(["finetune", .. Settings("none"), "--epochs", "1", "--out", run]);
        Assert.That(first.Code, Is.Zero, first.Error + first.Output);
        string moved = Path.Combine(_root, "moved");
        var next = NfsRunner.Run("finetune", "--resume", Path.Combine(run, "checkpoint.safetensors"), "--epochs", "2", "--out", moved);
        Assert.That(next.Code, Is.Zero, next.Error + next.Output);
        Assert.That(File.ReadAllLines(Path.Combine(moved, "metrics.csv")), Has.Length.EqualTo(3));
        Assert.That(File.Exists(Path.Combine(moved, "best.safetensors")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(moved, "options.txt")), Does.Contain("HeadHidden = 8").And.Contain("Epochs = 2"));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(2), "the first folder is left as it was");

        string done = Path.Combine(moved, "checkpoint.safetensors");
        AssertOneLineError(NfsRunner.Run("finetune", "--resume", done), done, "already trained 2 of 2 epochs", "--epochs above 2");
    }

    private static void AssertOneLineError((int Code, string Output, string Error) result, params string[] fragments)
    {
        Assert.That(result.Code, Is.EqualTo(1), result.Output);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), result.Error);
        Assert.That(lines[0], Does.StartWith("finetune: "));
        foreach (var f in fragments) Assert.That(lines[0], Does.Contain(f));
    }

    [Test]
    public void AMissingCheckpointIsOneLine()
    {
        string missing = Path.Combine(_root, "nowhere", "checkpoint.safetensors");
        AssertOneLineError(NfsRunner.Run("finetune", "--resume", missing), missing, "not found");
    }

    [Test]
    public void ACheckpointOfNfsTrainIsRefused()
    {
        string run = Path.Combine(_root, "train-run");
        var train = NfsRunner.Run("train", "--epochs", "1", "--model", "linear", "--val-split", "0", "--device", "cpu", "--out", run);
        Assert.That(train.Code, Is.Zero, train.Error);
        string checkpoint = Path.Combine(run, "checkpoint.safetensors");
        AssertOneLineError(NfsRunner.Run("finetune", "--resume", checkpoint), checkpoint, "nfs train", "not of a fine-tuning run");
        // A plain weights file is not a checkpoint at all.
        string weights = Path.Combine(run, "model.safetensors");
        AssertOneLineError(NfsRunner.Run("finetune", "--resume", weights), weights, "not a training checkpoint");
    }

    [Test]
    public void ACheckpointWhoseClassesDifferFromTheDataIsRefused()
    {
        string images = Path.Combine(_root, "images-grow");
        FinetuneCommandTests.WriteShapes(images, classes: 2, perClass: 3, size: 16);
        string run = Path.Combine(_root, "grow");
        var first = NfsRunner.Run("finetune", "--backbone", _backbone, "--data", images, "--input-size", "16", "--epochs", "1", "--batch-size", "2", "--device", "cpu", "--out", run);
        Assert.That(first.Code, Is.Zero, first.Error + first.Output);
        FinetuneCommandTests.WriteShapes(images, classes: 3, perClass: 3, size: 16);
        string checkpoint = Path.Combine(run, "checkpoint.safetensors");
        AssertOneLineError(NfsRunner.Run("finetune", "--resume", checkpoint, "--epochs", "2"), checkpoint, "2 classes", "has 3");
    }

    [Test]
    public void SettingsOtherThanEpochsAndOutCannotChangeOnResume()
    {
        AssertOneLineError(NfsRunner.Run("finetune", "--resume", Path.Combine(_root, "any.safetensors"), "--lr", "0.5", "--device", "cpu"), "--lr", "--device", "only --epochs");
        AssertOneLineError(NfsRunner.Run("finetune", "--epochs", "1"), "--backbone and --data are required");
    }
}
