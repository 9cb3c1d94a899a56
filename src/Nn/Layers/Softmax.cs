using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Softmax along <c>axis</c> (default the last). Shape: unchanged. No parameters.</summary>
public sealed class Softmax(int axis = -1) : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Softmax(axis);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={axis}";
}
