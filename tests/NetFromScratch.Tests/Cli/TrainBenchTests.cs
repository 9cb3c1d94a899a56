using NetFromScratch.Cli;

namespace NetFromScratch.Tests.Cli;

/// <summary><c>nfs bench train</c> prints its one-line summary (the numbers themselves are not asserted: no timing in tests).</summary>
public class TrainBenchTests
{
    [Test]
    public void PrintsSamplesPerSecondAndAllocation()
    {
        var (code, output, _) = NfsRunner.Run("bench", "train", "--model", "mlp:16", "--seconds", "0.3");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Match(@"^train model=mlp:16 batch=64 samples_per_s=\d+ .*alloc_bytes_per_step=\d+ .*path=fused-mlp"));
    }

    [Test]
    public void EpochRunComparesPlainAndAugmentedLoading()
    {
        var (code, output, _) = NfsRunner.Run("bench", "train", "--model", "mlp:16", "--seconds", "0.3", "--epoch", "--epoch-samples", "300", "--augment", "flip,crop:2");
        Assert.That(code, Is.EqualTo(0));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[1], Does.Match(@"^train-epoch model=mlp:16 batch=64 augment=none samples=300 seconds=[\d.]+ samples_per_s=\d+ step_us=\d+ wait_us_per_step=\d+"));
        Assert.That(lines[2], Does.Match(@"^train-epoch model=mlp:16 batch=64 augment=flip,crop:2 samples=300 .* step_ratio=[\d.]+"));
    }

    [Test]
    public void AugmentWithoutEpochOrWithABadSpecIsRefused()
    {
        var (code, _, error) = NfsRunner.Run("bench", "train", "--model", "mlp:16", "--augment", "flip");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--epoch"));
        (code, _, error) = NfsRunner.Run("bench", "train", "--model", "mlp:16", "--epoch", "--augment", "spin:3");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("spin"));
    }
}
