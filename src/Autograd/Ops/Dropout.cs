using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Dropout: Y = X * M with M = Bernoulli(1 - p) / (1 - p), so E[Y] = X. The mask is kept for backward: dX = dY * M.
public static partial class F
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="p"/> and scales the rest by <c>1 / (1 - p)</c> in training;
    /// returns the input unchanged otherwise. Shape: unchanged.
    /// </summary>
    /// <param name="input">The activations.</param>
    /// <param name="p">Drop probability in [0, 1].</param>
    /// <param name="training">False turns dropout into the identity (evaluation).</param>
    /// <param name="generator">The random stream for the mask (the default generator when null).</param>
    public static Variable Dropout(Variable input, float p, bool training, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: probability must be in [0, 1], got {p}.");
        if (!training || p == 0f) return input;
        var x = input.Data;
        Tensor mask;
        if (p == 1f) mask = Tensor.Zeros(x.Shape, x.Device);
        else
        {
            mask = Tensor.Bernoulli(x.Shape, 1f - p, generator, x.Device);
            mask.MulInPlace(1f / (1f - p));
        }
        return Record("Dropout", x * mask, [input], $"dX = dY * M  (M: the kept mask, 0 or 1/(1-{p:G4}))", dY => [dY * mask], mask);
    }
}
