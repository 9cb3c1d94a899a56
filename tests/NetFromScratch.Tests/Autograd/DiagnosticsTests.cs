using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>Graph export to DOT and the backward trace.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class DiagnosticsTests(Device device)
{
    private (Variable Loss, Variable X, Variable W, Variable B) TinyModel()
    {
        var x = new Variable(Tensor.FromArray(new float[] { 1, 2, 3, 4 }, new Shape(2, 2), device), name: "x");
        var w = new Variable(Tensor.FromArray(new float[] { 0.5f, -1, 1, 0.25f }, new Shape(2, 2), device), requiresGrad: true, name: "w");
        var b = new Variable(Tensor.FromArray(new float[] { 0.1f, -0.1f }, new Shape(2), device), requiresGrad: true, name: "b");
        var loss = (x.MatMul(w) + b).Relu().Mean();
        return (loss, x, w, b);
    }

    [Test]
    public void DotExportListsOpsLeavesAndEdges()
    {
        var (loss, _, _, _) = TinyModel();
        string dot = GraphViz.ToDot(loss);
        Assert.That(dot, Does.StartWith("digraph autograd {"));
        Assert.That(dot, Does.Contain("#1 MatMul\\n[2, 2]").And.Contain("#2 Add").And.Contain("#3 Relu").And.Contain("#4 Mean\\n[]"));
        Assert.That(dot, Does.Contain("w\\n[2, 2]\\nrequires grad").And.Contain("x\\n[2, 2]\\nconstant"));
        Assert.That(dot, Does.Contain("leaf1 -> op1 [style=dashed]"), "a constant input is dashed");
        Assert.That(dot, Does.Contain("leaf2 -> op1;").And.Contain("op1 -> op2;").And.Contain("leaf3 -> op2;"));
        Assert.That(dot, Does.Contain("palegreen"), "the output is highlighted");
        Assert.That(dot.TrimEnd(), Does.EndWith("}"));
    }

    [Test]
    public void TraceListsNodesInExecutionOrderWithGradientNorms()
    {
        var (loss, _, w, b) = TinyModel();
        var trace = new BackwardTrace();
        loss.Backward(trace: trace);
        var ops = trace.Entries.Select(e => e.Op).ToArray();
        Assert.That(ops, Is.EqualTo(new[] { "Mean", "Relu", "Add", "MatMul", "AccumulateGrad", "AccumulateGrad" }));
        var add = trace.Entries[2];
        Assert.That(add.Rule, Is.EqualTo("dA = dY;  dB = dY"));
        Assert.That(add.Sent.Select(s => s.Input), Is.EqualTo(new[] { "#1", "b" }));
        Assert.That(add.Sent[1].Shape, Is.EqualTo(new Shape(2)));
        // The norms the trace reports are those of the gradients that arrived.
        var accumulate = trace.Entries.Where(e => e.Op == "AccumulateGrad").ToDictionary(e => e.Node);
        Assert.That(accumulate["w"].Sent[0].Norm, Is.EqualTo(Norm(w.Grad!)).Within(1e-6));
        Assert.That(accumulate["b"].Sent[0].Norm, Is.EqualTo(Norm(b.Grad!)).Within(1e-6));
        var matmul = trace.Entries[3];
        Assert.That(matmul.Sent.Select(s => s.Input), Is.EqualTo(new[] { "w" }), "x requires no grad, so nothing is sent to it");
    }

    [Test]
    public void TraceFormatsAsATable()
    {
        var (loss, _, _, _) = TinyModel();
        var trace = new BackwardTrace();
        loss.Backward(trace: trace);
        var lines = trace.Format().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("step").And.Contain("rule").And.Contain("|grad|"));
        Assert.That(lines[1], Does.Contain("Mean").And.Contain("#3"));
        Assert.That(lines.Any(l => l.Contains("dA = dC @ B^T")), Is.True);
        Assert.That(lines.Select(l => l.Length).Distinct().Count(), Is.LessThanOrEqualTo(2), "columns line up");
    }

    [Test]
    public void DotExportStillWorksAfterBackwardAndMarksReleasedNodes()
    {
        var (loss, _, _, _) = TinyModel();
        loss.Backward();
        Assert.That(GraphViz.ToDot(loss), Does.Contain("(released)"));
    }

    private static double Norm(Tensor t) => Math.Sqrt(t.ToArray().Sum(v => (double)v * v));
}
