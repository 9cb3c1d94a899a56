using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Applies <c>x * Phi(x), the exact GELU</c> elementwise. Shape: unchanged. No parameters.</summary>
public sealed class GELU : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Gelu();
}
