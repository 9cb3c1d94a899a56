using NetFromScratch.Cli;
using NetFromScratch.Cli.FineTuning;

namespace NetFromScratch.Tests.Cli;

/// <summary><c>nfs compare</c> at a toy size: every approach at every N, the forgetting measurement, and the files.</summary>
public class CompareCommandTests
{
    [Test]
    public void TinyComparisonReportsEveryApproachAndForgetting()
    {
        string folder = Path.Combine(Path.GetTempPath(), "nfs-compare-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var rows = CompareJob.Run(new CompareSettings
            {
                PerClass = [2, 4],
                Size = 16,
                PretrainPerClass = 8,
                PretrainEpochs = 1,
                Epochs = 2,
                TestPerClass = 4,
                BatchSize = 4,
                Output = folder,
                SaveFolder = Path.Combine(folder, "images"),
            }, output);
            string text = output.ToString();
            Assert.That(rows.Select(r => (r.PerClass, r.Approach)), Is.EqualTo(new[]
            {
                (2, "scratch"), (2, "frozen"), (2, "full"), (4, "scratch"), (4, "frozen"), (4, "full"),
            }));
            Assert.That(rows.All(r => r.TestAccuracy is >= 0 and <= 1 && r.Seconds >= 0 && r.MemoryMb > 0), Is.True);
            Assert.That(rows.Where(r => r.Approach == "scratch").All(r => double.IsNaN(r.OldTaskAfter)), Is.True);
            Assert.That(rows.Single(r => r.PerClass == 2 && r.Approach == "frozen").TrainableParameters, Is.EqualTo(64 * 5 + 5));
            Assert.That(rows.Where(r => r.Approach == "frozen").Select(r => r.MemoryMb), Is.All.LessThan(rows.First(r => r.Approach == "full").MemoryMb));
            Assert.That(text, Does.Contain("exported to").And.Contain("imported back"));
            Assert.That(text, Does.Contain(CompareJob.Header));
            Assert.That(text, Does.Contain("forgetting, N=4, full fine-tuning"));
            Assert.That(text, Does.Contain("wrote 20 images of the new task"));
            foreach (var file in new[] { "compare.csv", "compare.png", "backbone.onnx" })
                Assert.That(File.Exists(Path.Combine(folder, file)), Is.True, file);
            Assert.That(File.ReadAllLines(Path.Combine(folder, "compare.csv")), Has.Length.EqualTo(7));
            Assert.That(Directory.GetDirectories(Path.Combine(folder, "images")), Has.Length.EqualTo(5));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void FrozenFineTuningKeepsTheOriginalTaskExactly()
    {
        string folder = Path.Combine(Path.GetTempPath(), "nfs-compare-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var rows = CompareJob.Run(new CompareSettings
            {
                PerClass = [3], Approaches = ["frozen"], Size = 16, PretrainPerClass = 6, PretrainEpochs = 1, Epochs = 2, TestPerClass = 6, BatchSize = 4, Output = folder,
            }, output);
            string before = output.ToString().Split("imported back: ")[1].Split('%')[0];
            Assert.That((100 * rows[0].OldTaskAfter).ToString("F1", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(before));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void BadSettingsFailWithAMessage()
    {
        var error = new StringWriter();
        Assert.That(CompareJob.Execute(new CompareSettings { Approaches = ["linear-probe"] }, new StringWriter(), error), Is.EqualTo(1));
        Assert.That(error.ToString(), Does.Contain("linear-probe").And.Contain("scratch, frozen, full"));
    }
}
