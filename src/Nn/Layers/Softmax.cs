using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Softmax along <c>axis</c> (default the last). Shape: unchanged. No parameters.</summary>
public sealed class Softmax(int axis = -1) : Module
{
    /// <summary>The axis normalised over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Softmax(Axis);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Axis}";
}
