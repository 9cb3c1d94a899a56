namespace NetFromScratch.Tests.Cli;

/// <summary>
/// <c>nfs finetune --device</c>: the shared option, resolved as for <c>nfs train</c>. The simulator (ILGPU's CPU
/// accelerator) runs the GPU kernels slowly, so the run is tiny: a small ONNX backbone, 16x16 images, two classes.
/// </summary>
public class FinetuneDeviceTests
{
    private string _root = "";

    [OneTimeSetUp]
    public void WriteFolderAndBackbone()
    {
        _root = Path.Combine(Path.GetTempPath(), "nfs-ftdevice-" + Guid.NewGuid().ToString("N"));
        FinetuneCommandTests.WriteShapes(Path.Combine(_root, "images"), classes: 2, perClass: 3, size: 16);
        FinetuneResumeTests.TinyClassifier(Path.Combine(_root, "tiny.onnx"));
    }

    [OneTimeTearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    // Epoch 1 trains the head on features the backbone computed on the device; epoch 2 unfreezes a block and trains on
    // images there; the resumed epoch 3 continues on the device the checkpoint names.
    [Test]
    public void TheSimulatorRunsAFineTuningEndToEndAndSaysSo()
    {
        string run = Path.Combine(_root, "run");
        var (code, output, error) = NfsRunner.Run("finetune", "--backbone", Path.Combine(_root, "tiny.onnx"), "--data", Path.Combine(_root, "images"),
            "--input-size", "16", "--epochs", "2", "--batch-size", "3", "--val-split", "0", "--unfreeze-every", "1", "--device", "simulator", "--out", run);
        Assert.That(code, Is.Zero, error + output);
        Assert.That(output, Does.Contain("device: ilgpu-cpu (simulator)"));
        Assert.That(output, Does.Contain("features cached").And.Contain("epoch 2: unfroze"));
        Assert.That(File.ReadAllText(Path.Combine(run, "summary.txt")), Does.Contain(" s on ilgpu-cpu (simulator); peak working set"));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(3));

        var resumed = NfsRunner.Run("finetune", "--resume", Path.Combine(run, "checkpoint.safetensors"), "--epochs", "3");
        Assert.That(resumed.Code, Is.Zero, resumed.Error + resumed.Output);
        Assert.That(resumed.Output, Does.Contain("device: ilgpu-cpu (simulator)").And.Contain("after epoch 2"));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(4));
    }

    [Test]
    public void AnUnknownDeviceIsRefusedWithTheChoices()
    {
        var (code, output, error) = NfsRunner.Run("finetune", "--backbone", Path.Combine(_root, "tiny.onnx"), "--data", Path.Combine(_root, "images"),
            "--device", "tpu", "--out", Path.Combine(_root, "never"));
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(error.Trim(), Does.StartWith("finetune: --device tpu: Unknown device 'tpu'").And.Contain("simulator"));
        Assert.That(error, Does.Not.Contain("   at "));
        Assert.That(Directory.Exists(Path.Combine(_root, "never")), Is.False, "refused before anything is written");
    }
}
