using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Inverted dropout: in training mode each element is zeroed with probability p and the rest scaled by 1/(1-p), so
/// evaluation needs no rescaling; in evaluation mode it passes its input through. Masks come from
/// <paramref name="generator"/> (the default generator when null), so a seed makes them reproducible.
/// Shape: unchanged. No parameters.
/// </summary>
public sealed class Dropout(float p = 0.5f, Generator? generator = null) : Module
{
    /// <summary>Probability of zeroing an element.</summary>
    public float P { get; } = p is >= 0f and < 1f ? p : throw new ArgumentException($"Dropout: probability must be in [0, 1), got {p}.");

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => F.Dropout(input, P, IsTraining, generator);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"p={P}";
}
