using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// Runs a model and its loss on one batch: forward and backward for training (gradients accumulate into the
/// parameters' Grad), forward only for evaluation. The trainer owns everything else (optimizer, clipping, schedules).
/// Shape: inputs <c>[N, *sample]</c>, targets <c>[N]</c> class numbers (or the loss's target shape).
/// </summary>
internal interface IStepEngine
{
    /// <summary>A short name for summaries (<c>autograd</c>, <c>fused-mlp</c>).</summary>
    string Name { get; }

    /// <summary>Forward and backward on one batch in training mode. The loss is not backpropagated when it is not finite.</summary>
    StepOutcome Train(Tensor inputs, Tensor targets);

    /// <summary>Forward only, in evaluation mode, without recording a graph.</summary>
    StepOutcome Evaluate(Tensor inputs, Tensor targets);
}
