using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Metrics;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// The general step: <c>model.Forward</c>, the loss, <c>Backward</c>. Works for any module and loss. With
/// <paramref name="releaseIntermediates"/> the finished graph is disposed (<see cref="Variable.DisposeGraph"/>) and the
/// step runs in a <see cref="ReleaseScope"/>, so every activation buffer, recorded or frozen, returns to the pool for the
/// next step.
/// </summary>
internal sealed class AutogradStep(Module model, Loss loss, bool releaseIntermediates) : IStepEngine
{
    public string Name => "autograd";

    public StepOutcome Train(Tensor inputs, Tensor targets)
    {
        // DisposeGraph frees what the graph recorded; the scope frees results that recorded none (frozen layers' activations).
        using var scope = releaseIntermediates ? ReleaseScope.Enter() : null;
        var output = model.Forward(inputs);
        var l = loss.Forward(output, targets);
        if (l.Numel != 1)
            throw new InvalidOperationException($"Trainer: the loss must reduce to one value (reduction mean or sum), got shape {l.Shape} from {loss}.");
        double value = HostScalar.Read(l.Data);
        if (loss.Reduction == Reduction.Sum) value /= Math.Max(1, inputs.Shape[0]);
        int correct = CountCorrect(output.Data, targets);
        if (double.IsFinite(value) && l.RequiresGrad) l.Backward();
        if (releaseIntermediates) l.DisposeGraph();
        return new StepOutcome(value, correct);
    }

    public StepOutcome Evaluate(Tensor inputs, Tensor targets)
    {
        // Every activation of the pass goes back to the pool when the scope closes, ready for the next batch; a caller
        // that keeps activations (ReleaseIntermediates off) gets grad mode off only.
        using (releaseIntermediates ? InferenceMode.Enter() : NoGrad.Scope())
        {
            var output = model.Forward(inputs);
            var l = loss.Forward(output, targets);
            double value = HostScalar.Read(l.Data);
            if (loss.Reduction == Reduction.Sum) value /= Math.Max(1, inputs.Shape[0]);
            int correct = CountCorrect(output.Data, targets);
            return new StepOutcome(value, correct);
        }
    }

    private int CountCorrect(Tensor output, Tensor targets) =>
        loss.TakesClassTargets && output.Rank == 2 && targets.Rank == 1 ? Accuracy.CountCorrect(output, targets) : -1;
}
