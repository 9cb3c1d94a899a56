using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Regularization;

/// <summary>
/// L1 and L2 penalty terms on chosen parameters: <c>l1 * sum |w| + l2 * sum w^2</c> (the Keras convention, so the
/// gradient of the L2 term is <c>2 l2 w</c>). Add <see cref="Term"/> to the loss, or, cheaper and equivalent, call
/// <see cref="AddGradients"/> after backward: it adds <c>l1 sign(w) + 2 l2 w</c> to each gradient in place.
/// </summary>
/// <remarks>
/// Unlike an optimizer's weight decay this is part of the objective, so it shows in the reported loss when added with
/// <see cref="Term"/> and it acts through the optimizer's adaptive scaling (Adam divides it like any gradient).
/// </remarks>
public sealed class Penalty
{
    private readonly Variable[] _parameters;

    /// <summary>Penalises <paramref name="parameters"/> with the given strengths.</summary>
    public Penalty(IEnumerable<Variable> parameters, double l1 = 0, double l2 = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(l1 >= 0) || !(l2 >= 0)) throw new ArgumentException($"Penalty: strengths must be >= 0, got l1={l1}, l2={l2}.");
        _parameters = parameters.ToArray();
        L1 = l1;
        L2 = l2;
    }

    /// <summary>Penalises module parameters.</summary>
    public Penalty(IEnumerable<Parameter> parameters, double l1 = 0, double l2 = 0)
        : this(parameters.Select(p => p.Variable), l1, l2) { }

    /// <summary>The weights of <paramref name="module"/> (parameters of two or more dimensions), leaving biases and normalisation scales alone, as is usual.</summary>
    public static IEnumerable<Parameter> WeightsOf(Module module) => module.TrainableParameters().Where(p => p.Shape.Rank >= 2);

    /// <summary>Strength of the L1 term.</summary>
    public double L1 { get; }

    /// <summary>Strength of the L2 term.</summary>
    public double L2 { get; }

    /// <summary>The penalised parameters.</summary>
    public IReadOnlyList<Variable> Parameters => _parameters;

    /// <summary>True when both strengths are zero.</summary>
    public bool IsZero => L1 == 0 && L2 == 0;

    /// <summary>The penalty as a Variable to add to the loss (its gradient flows to the parameters). Shape: a scalar.</summary>
    public Variable Term()
    {
        Variable? total = null;
        foreach (var p in _parameters)
        {
            if (L1 != 0) total = Add(total, p.Abs().Sum() * (float)L1);
            if (L2 != 0) total = Add(total, p.Square().Sum() * (float)L2);
        }
        return total ?? new Variable(Tensor.Scalar(0f, _parameters.Length > 0 ? _parameters[0].Device : Device.Cpu));

        static Variable Add(Variable? a, Variable b) => a is null ? b : a + b;
    }

    /// <summary>The penalty's value, computed without a graph.</summary>
    public double Value()
    {
        double total = 0;
        foreach (var p in _parameters)
        {
            if (TensorSpans.TryGet(p.Data, out var w))
            {
                if (L1 != 0) total += L1 * TensorPrimitives.SumOfMagnitudes(w);
                if (L2 != 0) total += L2 * TensorPrimitives.SumOfSquares(w);
                continue;
            }
            if (L1 != 0) { using var a = p.Data.Abs(); using var s = a.Sum(); total += L1 * s.Item(); }
            if (L2 != 0) { using var q = p.Data.Square(); using var s = q.Sum(); total += L2 * s.Item(); }
        }
        return total;
    }

    /// <summary>
    /// Adds the penalty's gradient, <c>l1 sign(w) + 2 l2 w</c>, to each parameter's gradient in place (creating it
    /// where backward left none). Frozen parameters are skipped.
    /// </summary>
    public void AddGradients()
    {
        if (IsZero) return;
        float l1 = (float)L1, twoL2 = (float)(2 * L2);
        foreach (var p in _parameters)
        {
            if (!p.RequiresGrad) continue;
            p.Grad ??= Tensor.Zeros(p.Shape, p.Device);
            if (TensorSpans.TryGet(p.Data, out var w) && TensorSpans.TryGet(p.Grad, out var g))
            {
                for (int i = 0; i < w.Length; i++)
                {
                    float x = w[i];
                    g[i] += l1 * (x > 0 ? 1f : x < 0 ? -1f : 0f) + twoL2 * x;
                }
                continue;
            }
            if (l1 != 0) { using var s = p.Data.Sign(); s.MulInPlace(l1); p.Grad.AddInPlace(s); }
            if (twoL2 != 0) { using var s = p.Data * twoL2; p.Grad.AddInPlace(s); }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Penalty(l1={L1:G4}, l2={L2:G4}) on {_parameters.Length} parameters";
}
