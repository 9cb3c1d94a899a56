using NetFromScratch.Cli;

namespace NetFromScratch.Tests.Cli;

/// <summary><c>nfs bench train</c> prints its one-line summary (the numbers themselves are not asserted: no timing in tests).</summary>
public class TrainBenchTests
{
    [Test]
    public void PrintsSamplesPerSecondAndAllocation()
    {
        var oldOut = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        int code;
        try
        {
            code = Program.Main(["bench", "train", "--model", "mlp:16", "--seconds", "0.3"]);
        }
        finally
        {
            Console.SetOut(oldOut);
        }
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output.ToString(), Does.Match(@"^train model=mlp:16 batch=64 samples_per_s=\d+ .*alloc_bytes_per_step=\d+ .*path=fused-mlp"));
    }
}
