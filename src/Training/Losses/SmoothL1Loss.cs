using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>
/// Smooth L1 loss (torch.nn.SmoothL1Loss): quadratic for errors below <see cref="Beta"/>, linear above, so outliers pull
/// less than under MSE. See <see cref="LossFunctions.SmoothL1Loss"/>. Shape: input and target alike.
/// </summary>
public sealed class SmoothL1Loss(float beta = 1f, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Beta { get; } = beta >= 0 ? beta : throw new ArgumentException($"SmoothL1Loss: beta must be >= 0, got {beta}.");

    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target) => LossFunctions.SmoothL1Loss(output, target, Beta, Reduction);
}
