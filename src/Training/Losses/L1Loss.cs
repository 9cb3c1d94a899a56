using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>Mean absolute error (torch.nn.L1Loss), <c>|input - target|</c> reduced. Shape: input and target alike.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target)
    {
        LossFunctions.CheckSameShape("L1Loss", output, target);
        return F.L1Loss(output, target, Reduction);
    }
}
