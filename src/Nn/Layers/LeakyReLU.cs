using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Applies <c>x &gt; 0 ? x : slope * x</c> elementwise. Shape: unchanged. No parameters.</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module
{
    /// <summary>Slope for negative inputs.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.LeakyRelu(NegativeSlope);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"negative_slope={NegativeSlope}";
}
