using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Collapses axes <c>startAxis..endAxis</c> into one (by default everything but the batch axis).
/// Shape: <c>[N, C, H, W]</c> -&gt; <c>[N, C*H*W]</c>. No parameters.
/// </summary>
public sealed class Flatten(int startAxis = 1, int endAxis = -1) : Module
{
    /// <summary>First axis joined.</summary>
    public int StartAxis { get; } = startAxis;

    /// <summary>Last axis joined (negative counts from the end).</summary>
    public int EndAxis { get; } = endAxis;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Flatten(StartAxis, EndAxis);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"start_dim={StartAxis}, end_dim={EndAxis}";
}
