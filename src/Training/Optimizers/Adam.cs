using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) as torch.optim.Adam, with optional AMSGrad and coupled (L2) weight decay. At step t:
/// <c>g += wd p</c>; <c>m = m + (g - m)(1 - b1)</c>; <c>v = b2 v + (1 - b2) g^2</c>; AMSGrad keeps <c>vmax = max(vmax, v)</c>
/// and uses it for v; <c>p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)</c>.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] Slots = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    /// <summary>Creates the optimizer over one group of module parameters.</summary>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Creates the optimizer over one group of Variables.</summary>
    public Adam(IEnumerable<Variable> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the defaults.</summary>
    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this("Adam", groups, lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>For AdamW: the same rule with another name and decoupled decay.</summary>
    private protected Adam(string name, IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2,
        double eps, double weightDecay, bool amsgrad)
        : base(name, groups, lr, weightDecay)
    {
        CheckFraction(Name, "beta1", beta1);
        CheckFraction(Name, "beta2", beta2);
        CheckNonNegative(Name, "eps", eps);
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        AmsGrad = amsgrad;
    }

    /// <summary>Decay of the first-moment (mean) estimate.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment (uncentered variance) estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>Whether the maximum of past second moments is used (Reddi et al., 2018).</summary>
    public bool AmsGrad { get; }

    /// <summary>True for AdamW: weight decay shrinks the parameter directly instead of joining the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        var m = state.Slot(0, parameter);
        var v = state.Slot(1, parameter);
        var vmax = AmsGrad ? state.Slot(2, parameter) : null;
        FusedUpdates.Adam(parameter, gradient, m, v, vmax, state.Step, group.LearningRate, Beta1, Beta2, Eps,
            group.WeightDecay, DecoupledWeightDecay);
    }

    /// <inheritdoc/>
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"betas=({Beta1:G6}, {Beta2:G6}), eps={Eps:G6}, amsgrad={AmsGrad}");
}
