using NetFromScratch.Autograd;
using NetFromScratch.Nn;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter, 2019) as torch.optim.AdamW: first <c>p *= 1 - lr wd</c>,
/// then Adam's update with the plain gradient. The default decay is 0.01, as PyTorch's.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer over one group of module parameters.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Creates the optimizer over one group of Variables.</summary>
    public AdamW(IEnumerable<Variable> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the defaults.</summary>
    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base("AdamW", groups, lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
