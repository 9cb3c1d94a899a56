using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Collapses axes <c>startAxis..endAxis</c> into one (by default everything but the batch axis).
/// Shape: <c>[N, C, H, W]</c> -&gt; <c>[N, C*H*W]</c>. No parameters.
/// </summary>
public sealed class Flatten(int startAxis = 1, int endAxis = -1) : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Flatten(startAxis, endAxis);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"start_dim={startAxis}, end_dim={endAxis}";
}
