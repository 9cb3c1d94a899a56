using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Applies <c>max(x, 0)</c> elementwise. Shape: unchanged. No parameters.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input.Relu();
}
