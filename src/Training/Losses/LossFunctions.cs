using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>
/// Losses that torch.nn.functional has and the autograd layer's <see cref="F"/> does not, composed of Variable ops so
/// their gradients come from those ops' rules.
/// </summary>
public static class LossFunctions
{
    /// <summary>
    /// Smooth L1 (torch.nn.functional.smooth_l1_loss): with <c>d = input - target</c>, <c>0.5 d^2 / beta</c> where
    /// <c>|d| &lt; beta</c> and <c>|d| - 0.5 beta</c> elsewhere; <c>beta = 0</c> is the L1 loss. Composite: Sub, Abs,
    /// Square, Where, then the reduction. Shape: input and target alike.
    /// </summary>
    public static Variable SmoothL1Loss(Variable input, Tensor target, float beta = 1f, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!(beta >= 0)) throw new ArgumentException($"SmoothL1Loss: beta must be >= 0, got {beta}.");
        CheckSameShape("SmoothL1Loss", input, target);
        var d = input - new Variable(target);
        var absolute = d.Abs();
        if (beta == 0) return Reduce(absolute, reduction);
        using var small = absolute.Data.Lt(beta);
        var losses = Variable.Where(small, d.Square() * (0.5f / beta), absolute - 0.5f * beta);
        return Reduce(losses, reduction);
    }

    /// <summary>
    /// Huber loss (torch.nn.functional.huber_loss): <c>0.5 d^2</c> where <c>|d| &lt; delta</c>, else
    /// <c>delta (|d| - 0.5 delta)</c>; equal to <c>delta</c> times the smooth L1 loss with <c>beta = delta</c>.
    /// Shape: input and target alike.
    /// </summary>
    public static Variable HuberLoss(Variable input, Tensor target, float delta = 1f, Reduction reduction = Reduction.Mean)
    {
        if (!(delta > 0)) throw new ArgumentException($"HuberLoss: delta must be > 0, got {delta}.");
        return SmoothL1Loss(input, target, delta, reduction) * delta;
    }

    internal static void CheckSameShape(string op, Variable input, Tensor target)
    {
        if (input.Shape != target.Shape)
            throw new ArgumentException($"{op}: input {input.Shape} and target {target.Shape} must have the same shape.");
    }

    private static Variable Reduce(Variable losses, Reduction reduction) => reduction switch
    {
        Reduction.None => losses,
        Reduction.Sum => losses.Sum(),
        _ => losses.Mean(),
    };
}
