using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>Mean squared error (torch.nn.MSELoss), <c>(input - target)^2</c> reduced. Shape: input and target alike.</summary>
public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target)
    {
        LossFunctions.CheckSameShape("MSELoss", output, target);
        return F.MseLoss(output, target, Reduction);
    }
}
