using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// Adagrad (Duchi et al., 2011) as torch.optim.Adagrad: at step t, <c>g += wd p</c>; <c>clr = lr / (1 + (t - 1) lr_decay)</c>;
/// <c>sum += g^2</c> (starting from <c>initial_accumulator_value</c>); <c>p -= clr g / (sqrt(sum) + eps)</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] Slots = ["sum"];

    /// <summary>Creates the optimizer over one group of module parameters.</summary>
    public Adagrad(IEnumerable<Parameter> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10)
        : this([new ParamGroup(parameters)], lr, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    /// <summary>Creates the optimizer over one group of Variables.</summary>
    public Adagrad(IEnumerable<Variable> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10)
        : this(OneGroup(parameters), lr, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the defaults.</summary>
    public Adagrad(IEnumerable<ParamGroup> groups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10)
        : base("Adagrad", groups, lr, weightDecay)
    {
        CheckNonNegative(Name, "lr_decay", lrDecay);
        CheckNonNegative(Name, "initial_accumulator_value", initialAccumulatorValue);
        CheckNonNegative(Name, "eps", eps);
        LrDecay = lrDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Eps = eps;
    }

    /// <summary>Per-step decay of the learning rate.</summary>
    public double LrDecay { get; }

    /// <summary>Starting value of the squared-gradient sum.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        if (state.Slots[0] is null)
            state.Slots[0] = Tensor.Full(parameter.Shape, (float)InitialAccumulatorValue, parameter.Device);
        double clr = group.LearningRate / (1 + (state.Step - 1) * LrDecay);
        FusedUpdates.Adagrad(parameter, gradient, state.Slots[0]!, clr, Eps, group.WeightDecay);
    }

    /// <inheritdoc/>
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"lr_decay={LrDecay:G6}, initial_accumulator_value={InitialAccumulatorValue:G6}, eps={Eps:G6}");
}
