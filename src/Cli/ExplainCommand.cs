using System.CommandLine;
using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs explain</c>: builds a tiny network, runs one training step and narrates it for someone learning
/// backpropagation: the forward graph, the backward trace (each node's rule and the gradients it sends), a gradient
/// check of the result, and the effect of one SGD update.
/// </summary>
public static class ExplainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "Seed for the data and the initial weights.", DefaultValueFactory = _ => 1 };
        var lr = new Option<float>("--lr") { Description = "Learning rate of the SGD step.", DefaultValueFactory = _ => 0.5f };
        var dot = new Option<string?>("--dot") { Description = "Also write the graph in Graphviz DOT to this file (render with: dot -Tsvg FILE -o graph.svg)." };
        var command = new Command("explain", "Build a tiny network, run one training step and print the backward trace, for learning backprop.");
        command.Options.Add(seed);
        command.Options.Add(lr);
        command.Options.Add(dot);
        command.SetAction(parse => Run(Console.Out, parse.GetValue(seed), parse.GetValue(lr), parse.GetValue(dot)));
        return command;
    }

    /// <summary>Runs the narrated step, writing to <paramref name="output"/>; returns 0.</summary>
    public static int Run(TextWriter output, int seed = 1, float learningRate = 0.5f, string? dotPath = null)
    {
        var gen = new Generator((ulong)seed);
        var device = Device.Cpu;
        var x = new Variable(Tensor.Randn(new Shape(4, 3), gen, device), name: "x");
        var targets = Tensor.FromArray([0f, 2f, 1f, 2f], new Shape(4), device);
        var w1 = new Variable(Tensor.Randn(new Shape(4, 3), gen, device) * 0.6f, requiresGrad: true, name: "w1");
        var b1 = new Variable(Tensor.Uniform(new Shape(4), -0.1f, 0.1f, gen, device), requiresGrad: true, name: "b1");
        var w2 = new Variable(Tensor.Randn(new Shape(3, 4), gen, device) * 0.6f, requiresGrad: true, name: "w2");
        var b2 = new Variable(Tensor.Uniform(new Shape(3), -0.1f, 0.1f, gen, device), requiresGrad: true, name: "b2");
        Variable[] parameters = [w1, b1, w2, b2];

        Variable Forward()
        {
            var z1 = F.Linear(x, w1, b1);
            z1.Name = "z1";
            var h1 = z1.Relu();
            h1.Name = "h1";
            var logits = F.Linear(h1, w2, b2);
            logits.Name = "logits";
            var loss = F.CrossEntropy(logits, targets);
            loss.Name = "loss";
            return loss;
        }

        output.WriteLine("nfs explain: one training step of a tiny network, narrated.");
        output.WriteLine();
        output.WriteLine("Network: x [4, 3] -> Linear(3 -> 4) -> ReLU -> Linear(4 -> 3) -> cross-entropy against targets [0, 2, 1, 2].");
        output.WriteLine("Linear(x, w, b) is x @ w^T + b, recorded as three ops: Transpose, MatMul, Add.");
        output.WriteLine();

        var loss = Forward();
        output.WriteLine("1. Forward pass. Every op computes its result and records a node holding its backward rule");
        output.WriteLine("   (#k is the k-th op; * marks a parameter, a leaf that requires grad):");
        output.WriteLine();
        foreach (var line in GraphSummary.Describe(loss).Split('\n', StringSplitOptions.RemoveEmptyEntries)) output.WriteLine("   " + line);
        output.WriteLine();
        float before = loss.Item();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   loss = {before:0.000000}"));
        output.WriteLine();

        if (dotPath is not null)
        {
            File.WriteAllText(dotPath, GraphViz.ToDot(loss));
            output.WriteLine($"   The graph is in {dotPath} (render: dot -Tsvg {dotPath} -o graph.svg).");
            output.WriteLine();
        }

        var trace = new BackwardTrace();
        loss.Backward(trace: trace);
        output.WriteLine("2. Backward pass: loss.Backward() starts from dloss/dloss = 1 and visits the nodes in reverse order.");
        output.WriteLine("   Each node applies its rule to the gradient of its output (dY) and sends one gradient to each input");
        output.WriteLine("   that needs one; a Variable used twice adds up what it receives; leaves finally accumulate into .Grad.");
        output.WriteLine();
        foreach (var line in trace.Format().Split('\n', StringSplitOptions.RemoveEmptyEntries)) output.WriteLine("   " + line);
        output.WriteLine();
        output.WriteLine("   CrossEntropy is one fused node: softmax followed by -log p[target] has the short gradient");
        output.WriteLine("   softmax(logits) - onehot(target), divided by the batch size for the mean.");
        output.WriteLine();

        var check = GradCheck.Check(v =>
        {
            var z = F.Linear(x, v[0], v[1]).Relu();
            return F.CrossEntropy(F.Linear(z, v[2], v[3]), targets);
        }, parameters, GradCheckOptions.Default with { Step = 1e-3f });
        output.WriteLine("3. Check: the same gradients by central finite differences, (loss(w + h) - loss(w - h)) / 2h per weight:");
        foreach (var input in check.Inputs)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {input.Name,-3} {input.Shape,-7}  max |analytic - numeric| = {input.MaxAbsError:0.0e+00}  {(input.Passed ? "ok" : "MISMATCH")}"));
        output.WriteLine();

        using (NoGrad.Scope())
            foreach (var p in parameters)
            {
                using var step = p.Grad! * learningRate;
                p.Data.SubInPlace(step);
                p.ZeroGrad();
            }
        float after;
        using (NoGrad.Scope()) after = Forward().Item();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"4. SGD step, w -= {learningRate:G3} * w.Grad for every parameter (under NoGrad, so nothing is recorded):"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   loss {before:0.000000} -> {after:0.000000}"));
        return 0;
    }
}
