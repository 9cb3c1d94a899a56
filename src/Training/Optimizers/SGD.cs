using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and (coupled) weight decay, as
/// torch.optim.SGD: <c>d = g + wd p</c>; with momentum <c>buf = d</c> on the first step, then
/// <c>buf = momentum buf + (1 - dampening) d</c>, and <c>d = d + momentum buf</c> (Nesterov) or <c>d = buf</c>;
/// finally <c>p -= lr d</c>.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] Slots = ["momentum_buffer"];

    /// <summary>Creates the optimizer over one group of module parameters.</summary>
    public SGD(IEnumerable<Parameter> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>Creates the optimizer over one group of Variables.</summary>
    public SGD(IEnumerable<Variable> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the defaults.</summary>
    public SGD(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base("SGD", groups, lr, weightDecay)
    {
        CheckNonNegative(Name, "momentum", momentum);
        CheckNonNegative(Name, "dampening", dampening);
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("SGD: Nesterov momentum requires a momentum > 0 and zero dampening.");
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor (0 = plain SGD).</summary>
    public double Momentum { get; }

    /// <summary>Dampening of the gradient's contribution to the momentum buffer.</summary>
    public double Dampening { get; }

    /// <summary>Whether the step looks ahead along the momentum (Sutskever et al., 2013).</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        Tensor? buffer = null;
        bool first = false;
        if (Momentum != 0)
        {
            first = state.Slots[0] is null;
            buffer = state.Slot(0, parameter);
        }
        FusedUpdates.Sgd(parameter, gradient, buffer, first, group.LearningRate, Momentum, Dampening, group.WeightDecay, Nesterov);
    }

    /// <inheritdoc/>
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"momentum={Momentum:G6}, dampening={Dampening:G6}, nesterov={Nesterov}");
}
