using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>
/// Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss), computed stably as
/// <c>max(x, 0) - x t + log(1 + exp(-|x|))</c>. Shape: logits and targets (probabilities in [0, 1]) alike.
/// </summary>
public sealed class BCEWithLogitsLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target) => F.BinaryCrossEntropyWithLogits(output, target, Reduction);
}
