using NetFromScratch.Autograd;
using NetFromScratch.Nn.Init;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// A fully connected layer, <c>y = x W^T + b</c>.
/// Shape: input <c>[*, in]</c> -&gt; output <c>[*, out]</c>; weight <c>[out, in]</c>, bias <c>[out]</c>.
/// Initialisation (PyTorch's): weight and bias uniform on <c>(-1/sqrt(in), 1/sqrt(in))</c>, which is Kaiming uniform
/// with a = sqrt(5).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer and initialises it with <see cref="ResetParameters"/>.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: feature counts must be positive, got {inFeatures} -> {outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Empty(new Shape(outFeatures, inFeatures)));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty(new Shape(outFeatures))) : null;
        ResetParameters(generator);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>Shape: <c>[out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>Shape: <c>[out]</c>, or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <summary>PyTorch's default initialisation (see the class remarks).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Initializers.KaimingUniform(Weight.Data, a: MathF.Sqrt(5f), generator: generator);
        if (Bias is not null)
        {
            float bound = 1f / MathF.Sqrt(InFeatures);
            Initializers.Uniform(Bias.Data, -bound, bound, generator);
        }
    }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank < 1 || input.Shape[-1] != InFeatures)
            throw ShapeErrors.Wrong($"Linear({InFeatures} -> {OutFeatures})", $"[*, {InFeatures}]", input.Shape);
        return F.Linear(input, Weight, Bias?.Variable);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null}";
}
