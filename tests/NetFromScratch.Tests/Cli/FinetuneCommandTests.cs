using NetFromScratch.Cli;
using NetFromScratch.Cli.FineTuning;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Cli;

/// <summary><c>nfs finetune</c> end to end on a tiny folder of generated PNGs.</summary>
public class FinetuneCommandTests
{
    private string _root = "";

    [OneTimeSetUp]
    public void WriteImageFolder()
    {
        _root = Path.Combine(Path.GetTempPath(), "nfs-finetune-" + Guid.NewGuid().ToString("N"));
        WriteShapes(Path.Combine(_root, "images"), classes: 3, perClass: 4, size: 16);
    }

    [OneTimeTearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>Writes <paramref name="perClass"/> procedural images of each of the first <paramref name="classes"/> classes as PNGs.</summary>
    internal static void WriteShapes(string folder, int classes, int perClass, int size)
    {
        var shapes = new ShapesDataset(10 * perClass, seed: 1, size: size);
        var pixels = new float[shapes.SampleShape.Numel];
        for (int i = 0; i < shapes.Count; i++)
        {
            int label = shapes.CopySample(i, pixels);
            if (label >= classes) continue;
            ImageFile.WritePng(Path.Combine(folder, ShapesDataset.ClassNames[label].Replace(' ', '_'), $"{i}.png"), pixels, new ImageLayout(3, size, size));
        }
    }

    [Test]
    public void RandomResNet18OnATinyFolderTrainsAndWritesTheRunFolder()
    {
        string run = Path.Combine(_root, "run-resnet");
        var (code, output, error) = NfsRunner.Run("finetune", "--backbone", "resnet18", "--data", Path.Combine(_root, "images"), "--input-size", "32",
            "--epochs", "1", "--batch-size", "4", "--val-split", "0.25", "--out", run);
        Assert.That(code, Is.Zero, error + output);
        Assert.That(output, Does.Contain("RANDOM weights").And.Contain("TRAINING FROM SCRATCH"));
        Assert.That(output, Does.Contain("3 classes").And.Contain("9 train, 3 validation"));
        Assert.That(output, Does.Contain("feature caching is off").Or.Contain("features not cached: the backbone trains"));
        Assert.That(output, Does.Contain("final validation accuracy"));
        foreach (var file in new[] { "metrics.csv", "model.safetensors", "best.safetensors", "options.txt", "summary.txt", "classes.txt", "curves.png" })
            Assert.That(File.Exists(Path.Combine(run, file)), Is.True, file);
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(2));
        var reloaded = new NetFromScratch.Nn.Models.ResNet(18, 3);
        Assert.That(reloaded.Load(Path.Combine(run, "model.safetensors")).IsExact, Is.True);
    }

    [Test]
    public void FrozenBackboneCachesFeaturesAndSaysSo()
    {
        string weights = Path.Combine(_root, "resnet18-3.safetensors");
        new NetFromScratch.Nn.Models.ResNet(18, 5, new NetFromScratch.Tensors.Generator(4)).Save(weights);
        string run = Path.Combine(_root, "run-frozen");
        var (code, output, error) = NfsRunner.Run("finetune", "--backbone", "resnet18", "--weights", weights, "--data", Path.Combine(_root, "images"),
            "--input-size", "32", "--epochs", "3", "--batch-size", "4", "--normalize", "data", "--lr-decay", "0.5", "--out", run);
        Assert.That(code, Is.Zero, error + output);
        Assert.That(output, Does.Not.Contain("RANDOM"));
        Assert.That(output, Does.Contain("features cached: the frozen backbone runs once, later epochs train only the head"));
        Assert.That(output, Does.Contain("epochs 2-3 trained only the head on cached features"));
        Assert.That(output, Does.Contain("layer4").And.Contain("frozen"));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(4));
    }

    [Test]
    public void GradualUnfreezingAndAugmentationAreReported()
    {
        string weights = Path.Combine(_root, "resnet18-b.safetensors");
        new NetFromScratch.Nn.Models.ResNet(18, 5, new NetFromScratch.Tensors.Generator(5)).Save(weights);
        var (code, output, error) = NfsRunner.Run("finetune", "--backbone", "resnet18", "--weights", weights, "--data", Path.Combine(_root, "images"),
            "--input-size", "32", "--epochs", "2", "--batch-size", "6", "--freeze-until", "layer3", "--unfreeze-every", "1", "--augment", "flip",
            "--val-split", "0", "--out", Path.Combine(_root, "run-unfreeze"));
        Assert.That(code, Is.Zero, error + output);
        Assert.That(output, Does.Contain("random augmentation").Or.Contain("the backbone trains"));
        Assert.That(output, Does.Contain("epoch 2: unfroze layer3"));
    }

    [Test]
    public void BadArgumentsFailWithAMessage()
    {
        var (code, _, error) = NfsRunner.Run("finetune", "--backbone", "resnet7", "--data", Path.Combine(_root, "images"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("resnet7").And.Contain("resnet18"));
        (code, _, error) = NfsRunner.Run("finetune", "--backbone", "resnet18", "--data", Path.Combine(_root, "images"), "--freeze-until", "layer9", "--input-size", "32",
            "--out", Path.Combine(_root, "run-bad"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("layer9").And.Contain("stem, layer1"));
    }

    [Test]
    public void BenchFinetunePrintsTheRate()
    {
        var output = new StringWriter();
        FinetuneBench.Run("resnet18", 32, 2, frozen: true, inference: false, hidden: 0, classes: 10, steps: 1, warmup: 1, output);
        Assert.That(output.ToString(), Does.StartWith("finetune model=resnet18 frozen=true samples_per_s="));
        Assert.That(output.ToString(), Does.Contain("cached=true"));
    }
}
