using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Regularization;

/// <summary>
/// Gradient clipping as torch.nn.utils: by the total norm of all gradients (<see cref="ClipGradNorm"/>) or elementwise
/// by value (<see cref="ClipGradValue"/>). Both change the gradients in place.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by <c>min(1, maxNorm / (total + 1e-6))</c>, where <c>total</c> is the p-norm of all gradients
    /// taken together (<paramref name="normType"/> 2 by default; <see cref="double.PositiveInfinity"/> for the largest
    /// magnitude). Returns the total norm before clipping.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="errorIfNonfinite"/> is set and the norm is NaN or infinite.</exception>
    public static double ClipGradNorm(IReadOnlyList<Variable> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentException($"ClipGradNorm: max norm must be >= 0, got {maxNorm}.");
        if (!(normType > 0)) throw new ArgumentException($"ClipGradNorm: norm type must be > 0, got {normType}.");
        double total = TotalNorm(parameters, normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException($"ClipGradNorm: the total {normType}-norm of the gradients is {total}; a NaN or infinite gradient cannot be clipped.");
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient >= 1) return total;
        float c = (float)coefficient;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            if (TensorSpans.TryGet(g, out var s)) TensorPrimitives.Multiply(s, c, s);
            else g.MulInPlace(c);
        }
        return total;
    }

    /// <summary>The p-norm of all gradients together (the same formula <see cref="ClipGradNorm"/> uses).</summary>
    public static double TotalNorm(IReadOnlyList<Variable> parameters, double normType = 2)
    {
        double acc = 0;
        bool inf = double.IsPositiveInfinity(normType);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null || g.Numel == 0) continue;
            double part;
            if (TensorSpans.TryGet(g, out var s)) part = inf ? MaxMagnitude(s) : SumOfPowers(s, normType);
            else
            {
                var host = g.ToArray();
                part = inf ? MaxMagnitude(host) : SumOfPowers(host, normType);
            }
            acc = inf ? Math.Max(acc, part) : acc + part;
            if (double.IsNaN(part)) acc = double.NaN;
        }
        return inf ? acc : Math.Pow(acc, 1 / normType);
    }

    private static double MaxMagnitude(ReadOnlySpan<float> s)
    {
        float m = 0;
        foreach (float x in s)
        {
            if (float.IsNaN(x)) return double.NaN;
            m = MathF.Max(m, MathF.Abs(x));
        }
        return m;
    }

    private static double SumOfPowers(ReadOnlySpan<float> s, double p)
    {
        if (p == 2) return TensorPrimitives.SumOfSquares(s);
        if (p == 1) return TensorPrimitives.SumOfMagnitudes(s);
        double sum = 0;
        foreach (float x in s) sum += Math.Pow(Math.Abs(x), p);
        return sum;
    }

    /// <summary>Clamps every gradient element to <c>[-clipValue, clipValue]</c>.</summary>
    public static void ClipGradValue(IReadOnlyList<Variable> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentException($"ClipGradValue: the clip value must be >= 0, got {clipValue}.");
        float c = (float)clipValue;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            if (TensorSpans.TryGet(g, out var s)) TensorPrimitives.Clamp(s, -c, c, s);
            else g.ClampInPlace(-c, c);
        }
    }
}
