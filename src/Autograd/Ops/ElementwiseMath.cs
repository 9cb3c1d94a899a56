using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Elementwise functions of one input: Y = f(X), so dX = dY * f'(X). Where f'(X) is cheaper from the output
// (exp, sqrt, reciprocal) the rule uses the saved Y instead of recomputing.
public sealed partial class Variable
{
    /// <summary><c>Y = exp(X)</c>.</summary>
    public Variable Exp()
    {
        var y = Data.Exp();
        return Record("Exp", y, [this], "dX = dY * Y", dY => [dY * y]);
    }

    /// <summary><c>Y = ln(X)</c>.</summary>
    public Variable Log()
    {
        var x = Data;
        return Record("Log", x.Log(), [this], "dX = dY / X", dY => [dY / x]);
    }

    /// <summary><c>Y = sqrt(X)</c>.</summary>
    public Variable Sqrt()
    {
        var y = Data.Sqrt();
        return Record("Sqrt", y, [this], "dX = dY / (2 Y)", dY =>
        {
            using var half = dY * 0.5f;
            return [half / y];
        });
    }

    /// <summary><c>Y = 1 / sqrt(X)</c>.</summary>
    public Variable Rsqrt()
    {
        var x = Data;
        var y = x.Rsqrt();
        return Record("Rsqrt", y, [this], "dX = -dY * Y / (2 X)", dY =>
        {
            using var dYy = dY * y;
            using var quotient = dYy / x;
            return [quotient * -0.5f];
        });
    }

    /// <summary><c>Y = X^2</c>.</summary>
    public Variable Square()
    {
        var x = Data;
        return Record("Square", x.Square(), [this], "dX = 2 X dY", dY =>
        {
            using var twoX = x * 2f;
            return [dY * twoX];
        });
    }

    /// <summary><c>Y = X^p</c> for a constant exponent.</summary>
    public Variable Pow(float exponent)
    {
        var x = Data;
        return Record("Pow", x.Pow(exponent), [this], $"dX = dY * {exponent:G4} * X^{exponent - 1:G4}", dY =>
        {
            using var power = x.Pow(exponent - 1f);
            using var local = power * exponent;
            return [dY * local];
        });
    }

    /// <summary>
    /// <c>Y = A^B</c> elementwise with broadcasting. The gradient for B, <c>dY * Y * ln(A)</c>, is NaN where A &lt; 0.
    /// Shape: the broadcast of both shapes.
    /// </summary>
    public Variable Pow(Variable exponent)
    {
        Variable a = this, b = exponent;
        Tensor aData = a.Data, bData = b.Data;
        var y = aData.Pow(bData);
        return Record("PowTensor", y, [a, b], "dA = dY * B * A^(B-1);  dB = dY * Y * ln(A)", dY =>
        {
            Tensor? ga = null, gb = null;
            if (a.RequiresGrad)
            {
                using var bMinus1 = bData - 1f;
                using var power = aData.Pow(bMinus1);
                using var local = power * bData;
                ga = SumToShape(dY * local, a.Shape, temporary: true);
            }
            if (b.RequiresGrad)
            {
                using var logA = aData.Log();
                using var local = y * logA;
                gb = SumToShape(dY * local, b.Shape, temporary: true);
            }
            return [ga, gb];
        });
    }

    /// <summary><c>Y = 1 / X</c>.</summary>
    public Variable Reciprocal()
    {
        var y = Data.Reciprocal();
        return Record("Reciprocal", y, [this], "dX = -dY * Y^2", dY =>
        {
            using var ySquared = y.Square();
            using var product = dY * ySquared;
            return [-product];
        });
    }

    /// <summary><c>Y = |X|</c>; the gradient at 0 is 0.</summary>
    public Variable Abs()
    {
        var x = Data;
        return Record("Abs", x.Abs(), [this], "dX = dY * sign(X)", dY =>
        {
            using var sign = x.Sign();
            return [dY * sign];
        });
    }

    /// <summary>
    /// <c>Y = min(max(X, min), max)</c>. The gradient passes where <c>min &lt;= X &lt;= max</c> and is 0 elsewhere.
    /// </summary>
    public Variable Clamp(float min, float max)
    {
        var x = Data;
        return Record("Clamp", x.Clamp(min, max), [this], $"dX = dY * [{min:G4} <= X <= {max:G4}]", dY =>
        {
            using var low = Tensor.Scalar(min, x.Device);
            using var high = Tensor.Scalar(max, x.Device);
            using var aboveMin = x.Ge(low);
            using var belowMax = x.Le(high);
            using var inside = aboveMin * belowMax;
            return [dY * inside];
        });
    }
}
