using NetFromScratch.Cli;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary><c>nfs gradcheck</c> and <c>nfs explain</c>, run in process with their output captured.</summary>
public class CommandTests
{
    [Test]
    public void GradCheckPrintsOneRowPerCaseAndSucceeds()
    {
        var output = new StringWriter();
        int code = GradCheckCommand.Run(output, Device.Cpu, filter: "matmul");
        string text = output.ToString();
        Assert.That(code, Is.EqualTo(0), text);
        var lines = text.Split('\n');
        Assert.That(lines.Any(l => l.StartsWith("op") && l.Contains("shapes") && l.Contains("max abs err") && l.Contains("max rel err") && l.Contains("pass")), Is.True, text);
        Assert.That(lines.Count(l => l.StartsWith("MatMul ")), Is.EqualTo(GradCheckSuiteCount("MatMul")));
        Assert.That(lines.Where(l => l.StartsWith("MatMul ")).All(l => l.TrimEnd().EndsWith("yes")), Is.True, text);
        Assert.That(text, Does.Contain("0 failed"));
    }

    [Test]
    public void GradCheckWithAnUnknownOpSaysSo()
    {
        var output = new StringWriter();
        Assert.That(GradCheckCommand.Run(output, Device.Cpu, filter: "NoSuchOp"), Is.EqualTo(1));
        Assert.That(output.ToString(), Does.Contain("no op matches 'NoSuchOp'").And.Contain("MatMul"));
    }

    [Test]
    public void ExplainNarratesOneTrainingStep()
    {
        var output = new StringWriter();
        string dot = Path.Combine(Path.GetTempPath(), $"nfs-explain-{Guid.NewGuid():N}.dot");
        try
        {
            Assert.That(ExplainCommand.Run(output, seed: 1, learningRate: 0.5f, dotPath: dot), Is.EqualTo(0));
            string text = output.ToString();
            Assert.That(text, Does.Contain("loss = CrossEntropy(logits)").And.Contain("#2 = MatMul(x, #1)"));
            Assert.That(text, Does.Contain("dZ = (softmax(Z) - onehot(T)) * dL / N").And.Contain("AccumulateGrad"));
            Assert.That(text.Split('\n').Count(l => l.Contains(" ok")), Is.EqualTo(4), "the gradient check agrees for every parameter");
            var step = text.Split('\n').Single(l => l.Contains(" -> ") && l.TrimStart().StartsWith("loss ") && !l.Contains('='));
            var values = step.Trim().Split(' ');
            Assert.That(float.Parse(values[^1], System.Globalization.CultureInfo.InvariantCulture),
                Is.LessThan(float.Parse(values[1], System.Globalization.CultureInfo.InvariantCulture)), "one SGD step lowers the loss");
            Assert.That(File.ReadAllText(dot), Does.StartWith("digraph autograd"));
        }
        finally
        {
            File.Delete(dot);
        }
    }

    private static int GradCheckSuiteCount(string op) => NetFromScratch.Autograd.GradCheckSuite.Cases.Count(c => c.Op == op);
}
