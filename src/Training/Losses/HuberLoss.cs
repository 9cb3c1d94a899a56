using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>Huber loss (torch.nn.HuberLoss): <see cref="Delta"/> times the smooth L1 loss with beta = delta. Shape: input and target alike.</summary>
public sealed class HuberLoss(float delta = 1f, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Delta { get; } = delta > 0 ? delta : throw new ArgumentException($"HuberLoss: delta must be > 0, got {delta}.");

    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target) => LossFunctions.HuberLoss(output, target, Delta, Reduction);
}
