using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Metrics;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// The general step: <c>model.Forward</c>, the loss, <c>Backward</c>. Works for any module and loss. With
/// <paramref name="releaseIntermediates"/> it walks the finished graph and disposes every op output that is not
/// a leaf's tensor, so activation buffers return to the pool for the next step.
/// </summary>
internal sealed class AutogradStep(Module model, Loss loss, bool releaseIntermediates) : IStepEngine
{
    private readonly Stack<Variable> _pending = new();
    private readonly HashSet<Node> _visited = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> _leafData = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _outputs = new();

    public string Name => "autograd";

    public StepOutcome Train(Tensor inputs, Tensor targets)
    {
        var output = model.Forward(inputs);
        var l = loss.Forward(output, targets);
        if (l.Numel != 1)
            throw new InvalidOperationException($"Trainer: the loss must reduce to one value (reduction mean or sum), got shape {l.Shape} from {loss}.");
        double value = HostScalar.Read(l.Data);
        if (loss.Reduction == Reduction.Sum) value /= Math.Max(1, inputs.Shape[0]);
        int correct = CountCorrect(output.Data, targets);
        if (double.IsFinite(value) && l.RequiresGrad) l.Backward();
        if (releaseIntermediates) Release(l);
        return new StepOutcome(value, correct);
    }

    public StepOutcome Evaluate(Tensor inputs, Tensor targets)
    {
        using (NoGrad.Scope())
        {
            var output = model.Forward(inputs);
            var l = loss.Forward(output, targets);
            double value = HostScalar.Read(l.Data);
            if (loss.Reduction == Reduction.Sum) value /= Math.Max(1, inputs.Shape[0]);
            int correct = CountCorrect(output.Data, targets);
            if (!ReferenceEquals(output.Data, inputs)) output.Data.Dispose();
            l.Data.Dispose();
            return new StepOutcome(value, correct);
        }
    }

    private int CountCorrect(Tensor output, Tensor targets) =>
        loss.TakesClassTargets && output.Rank == 2 && targets.Rank == 1 ? Accuracy.CountCorrect(output, targets) : -1;

    /// <summary>Disposes the outputs of every recorded op reachable from <paramref name="root"/> that no leaf holds.</summary>
    private void Release(Variable root)
    {
        _pending.Push(root);
        while (_pending.Count > 0)
        {
            var v = _pending.Pop();
            if (v.GradFn is not { } node)
            {
                _leafData.Add(v.Data);
                continue;
            }
            if (!_visited.Add(node)) continue;
            _outputs.Add(v.Data);
            foreach (var input in node.Inputs) _pending.Push(input);
        }
        foreach (var t in _outputs)
            if (!_leafData.Contains(t)) t.Dispose();
        _outputs.Clear();
        _visited.Clear();
        _leafData.Clear();
    }
}
