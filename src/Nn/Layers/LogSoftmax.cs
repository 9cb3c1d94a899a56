using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Log-softmax along <c>axis</c> (default the last). Shape: unchanged. No parameters.</summary>
public sealed class LogSoftmax(int axis = -1) : Module
{
    /// <summary>The axis normalised over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.LogSoftmax(Axis);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Axis}";
}
