using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Applies <c>1 / (1 + exp(-x))</c> elementwise. Shape: unchanged. No parameters.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Sigmoid();
}
