using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn;

/// <summary>
/// A trainable tensor owned by a <see cref="Module"/>: a leaf <see cref="Autograd.Variable"/> that requires a gradient
/// unless frozen. Converts implicitly to a Variable so it can be passed straight to ops.
/// Shape: any (for example <c>[out, in]</c> for a Linear weight).
/// </summary>
public sealed class Parameter
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as a parameter that requires a gradient.</summary>
    public Parameter(Tensor data, bool requiresGrad = true, string? name = null)
    {
        Variable = new Variable(data, requiresGrad, name);
    }

    /// <summary>The leaf Variable that ops see.</summary>
    public Variable Variable { get; }

    /// <summary>The values; optimizers update them in place.</summary>
    public Tensor Data
    {
        get => Variable.Data;
        set => Variable.Data = value;
    }

    /// <summary>The accumulated gradient, or null.</summary>
    public Tensor? Grad
    {
        get => Variable.Grad;
        set => Variable.Grad = value;
    }

    /// <summary>False when frozen: backward computes no gradient for it and optimizers skip it.</summary>
    public bool RequiresGrad
    {
        get => Variable.RequiresGrad;
        set
        {
            Variable.RequiresGrad = value;
            if (!value) Variable.Grad = null;
        }
    }

    /// <summary>Shape of the values.</summary>
    public Shape Shape => Variable.Shape;

    /// <summary>Number of elements.</summary>
    public int Numel => Variable.Numel;

    /// <summary>The Variable view of this parameter.</summary>
    public static implicit operator Variable(Parameter p) => p.Variable;

    /// <inheritdoc/>
    public override string ToString() => $"Parameter{Shape}{(RequiresGrad ? "" : " (frozen)")}";
}
