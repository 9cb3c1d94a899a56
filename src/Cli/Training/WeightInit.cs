using NetFromScratch.Nn;
using NetFromScratch.Nn.Init;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// <c>--init</c>: re-initialises every Linear and Conv2d weight (biases to zero). <c>he</c>: Kaiming normal for ReLU,
/// <c>std = sqrt(2 / fan_in)</c>; <c>xavier</c>: Glorot uniform, <c>a = sqrt(6 / (fan_in + fan_out))</c>; <c>uniform</c>:
/// U(-0.05, 0.05); <c>normal</c>: N(0, 0.05^2) (the Keras defaults of those names); <c>default</c> leaves each layer with
/// PyTorch's default (Kaiming uniform with a = sqrt(5), biases uniform).
/// </summary>
public static class WeightInit
{
    /// <summary>The names <c>--init</c> accepts.</summary>
    public static readonly string[] Names = ["he", "default", "xavier", "uniform", "normal"];

    /// <summary>Applies scheme <paramref name="name"/> to <paramref name="model"/>.</summary>
    public static void Apply(Module model, string name, Generator generator)
    {
        if (!Names.Contains(name)) throw new ArgumentException($"unknown --init '{name}': use one of {string.Join(", ", Names)}.");
        if (name == "default") return;
        model.Apply(m =>
        {
            var (weight, bias) = m switch
            {
                Linear l => (l.Weight.Data, l.Bias?.Data),
                Conv2d c => (c.Weight.Data, c.Bias?.Data),
                _ => ((Tensor?)null, (Tensor?)null),
            };
            if (weight is null) return;
            switch (name)
            {
                case "he": Initializers.KaimingNormal(weight, nonlinearity: Nonlinearity.Relu, generator: generator); break;
                case "xavier": Initializers.XavierUniform(weight, generator: generator); break;
                case "uniform": Initializers.Uniform(weight, -0.05f, 0.05f, generator); break;
                default: Initializers.Normal(weight, 0f, 0.05f, generator); break;
            }
            if (bias is not null) Initializers.Zeros(bias);
        });
    }
}
