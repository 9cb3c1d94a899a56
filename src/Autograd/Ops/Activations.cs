using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Activation functions, Y = f(X) elementwise, each with dX = dY * f'(X).
public sealed partial class Variable
{
    /// <summary><c>Y = max(X, 0)</c>; the gradient at 0 is 0.</summary>
    public Variable Relu()
    {
        var x = Data;
        // One pass: dY where X > 0, else 0 (rather than the product with a mask, which takes two and a temporary).
        return Record("Relu", x.Relu(), [this], "dX = dY * [X > 0]", dY => [Tensor.Binary(BinaryOp.WherePositive, dY, x)]);
    }

    /// <summary><c>Y = X &gt; 0 ? X : slope * X</c>.</summary>
    public Variable LeakyRelu(float negativeSlope = 0.01f)
    {
        var x = Data;
        return Record("LeakyRelu", x.LeakyRelu(negativeSlope), [this], $"dX = dY * (X > 0 ? 1 : {negativeSlope:G4})", dY =>
        {
            // slope + (1 - slope) * [X > 0] is 1 for positive inputs and slope elsewhere.
            using var positive = x.Gt(0f);
            using var local = positive.Apply(UnaryOp.Affine, 1f - negativeSlope, negativeSlope);
            return [dY * local];
        });
    }

    /// <summary><c>Y = 1 / (1 + exp(-X))</c>.</summary>
    public Variable Sigmoid()
    {
        var y = Data.Sigmoid();
        return Record("Sigmoid", y, [this], "dX = dY * Y * (1 - Y)", dY =>
        {
            using var oneMinusY = 1f - y;
            using var local = y * oneMinusY;
            return [dY * local];
        });
    }

    /// <summary><c>Y = tanh(X)</c>.</summary>
    public Variable Tanh()
    {
        var y = Data.Tanh();
        return Record("Tanh", y, [this], "dX = dY * (1 - Y^2)", dY =>
        {
            using var ySquared = y.Square();
            using var local = 1f - ySquared;
            return [dY * local];
        });
    }

    /// <summary>Exact GELU, <c>Y = X * Phi(X)</c> with Phi the standard normal CDF.</summary>
    public Variable Gelu()
    {
        var x = Data;
        return Record("Gelu", x.Gelu(), [this], "dX = dY * (Phi(X) + X * phi(X))", dY =>
        {
            using var local = x.Apply(UnaryOp.GeluDerivative);
            return [dY * local];
        });
    }

    /// <summary><c>Y = ln(1 + exp(X))</c>.</summary>
    public Variable Softplus()
    {
        var x = Data;
        return Record("Softplus", x.Softplus(), [this], "dX = dY * sigmoid(X)", dY =>
        {
            using var local = x.Sigmoid();
            return [dY * local];
        });
    }

    /// <summary>
    /// SiLU (swish), <c>Y = X * sigmoid(X)</c>. Composite: built from <see cref="Sigmoid"/> and a product, whose
    /// rules give <c>dX = dY * (s + X * s * (1 - s))</c> without a rule of its own.
    /// </summary>
    public Variable Silu() => this * Sigmoid();
}
