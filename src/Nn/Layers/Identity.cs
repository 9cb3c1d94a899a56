using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>Applies <c>x (a placeholder, for example a removed head)</c> elementwise. Shape: unchanged. No parameters.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => input;
}
