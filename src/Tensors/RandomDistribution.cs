namespace NetFromScratch.Tensors;

/// <summary>Distributions the counter-based generator can fill a tensor from.</summary>
public enum RandomDistribution
{
    /// <summary>Uniform on <c>[a, b)</c>.</summary>
    Uniform,
    /// <summary>Normal with mean <c>a</c> and standard deviation <c>b</c> (Box-Muller).</summary>
    Normal,
    /// <summary>1 with probability <c>a</c>, else 0.</summary>
    Bernoulli,
}
