using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>
/// A loss criterion, as PyTorch's loss modules: configured once, then called with the model's output and the targets.
/// Shape: each subclass documents what it accepts.
/// </summary>
public abstract class Loss
{
    /// <summary>Sets how per-element losses are combined.</summary>
    protected Loss(Reduction reduction) => Reduction = reduction;

    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>True when the targets are class numbers (so accuracy can be measured against the output's arg-max).</summary>
    public virtual bool TakesClassTargets => false;

    /// <summary>The loss of <paramref name="output"/> against <paramref name="target"/>.</summary>
    public abstract Variable Forward(Variable output, Tensor target);

    /// <summary>Shorthand for <see cref="Forward"/>.</summary>
    public Variable this[Variable output, Tensor target] => Forward(output, target);

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}(reduction={Reduction.ToString().ToLowerInvariant()})";
}
