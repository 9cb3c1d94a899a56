using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Applies <c>tanh(x)</c> elementwise. Shape: unchanged. No parameters.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Tanh();
}
