using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// RMSprop (Hinton's lecture 6e; the centered form of Graves, 2013) as torch.optim.RMSprop: <c>g += wd p</c>;
/// <c>sq = alpha sq + (1 - alpha) g^2</c>; centered: <c>ga = ga + (g - ga)(1 - alpha)</c> and
/// <c>avg = sqrt(sq - ga^2) + eps</c>, else <c>avg = sqrt(sq) + eps</c>; with momentum <c>buf = momentum buf + g / avg</c>
/// and <c>p -= lr buf</c>, else <c>p -= lr g / avg</c>.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private static readonly string[] Slots = ["square_avg", "grad_avg", "momentum_buffer"];

    /// <summary>Creates the optimizer over one group of module parameters.</summary>
    public RMSprop(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : this([new ParamGroup(parameters)], lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>Creates the optimizer over one group of Variables.</summary>
    public RMSprop(IEnumerable<Variable> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : this(OneGroup(parameters), lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the defaults.</summary>
    public RMSprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : base("RMSprop", groups, lr, weightDecay)
    {
        CheckFraction(Name, "alpha", alpha);
        CheckNonNegative(Name, "eps", eps);
        CheckNonNegative(Name, "momentum", momentum);
        Alpha = alpha;
        Eps = eps;
        Momentum = momentum;
        Centered = centered;
    }

    /// <summary>Smoothing constant of the squared-gradient average.</summary>
    public double Alpha { get; }

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>Momentum factor (0 = none).</summary>
    public double Momentum { get; }

    /// <summary>Whether the gradient is normalised by an estimate of its variance rather than its second moment.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        var sq = state.Slot(0, parameter);
        var gradAvg = Centered ? state.Slot(1, parameter) : null;
        var buffer = Momentum > 0 ? state.Slot(2, parameter) : null;
        FusedUpdates.RmsProp(parameter, gradient, sq, gradAvg, buffer, group.LearningRate, Alpha, Eps, group.WeightDecay, Momentum);
    }

    /// <inheritdoc/>
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"alpha={Alpha:G6}, eps={Eps:G6}, momentum={Momentum:G6}, centered={Centered}");
}
