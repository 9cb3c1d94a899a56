using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>
/// Negative log-likelihood of class targets given log-probabilities (torch.nn.NLLLoss); pair it with a LogSoftmax
/// output layer. Shape: log-probabilities <c>[N, C]</c> or <c>[N, C, d...]</c>; targets <c>[N]</c> / <c>[N, d...]</c>.
/// </summary>
public sealed class NLLLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, int ignoreIndex = -100) : Loss(reduction)
{
    /// <summary>A weight per class, or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <summary>A class number whose positions contribute nothing.</summary>
    public int IgnoreIndex { get; } = ignoreIndex;

    /// <inheritdoc/>
    public override bool TakesClassTargets => true;

    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target) => F.NllLoss(output, target, Weight, Reduction, IgnoreIndex);
}
