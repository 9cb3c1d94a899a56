using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// The error function, which exporters use to write exact GELU. The tensor layer has no erf kernel, so the forward
/// pass runs on the host in double precision: the Maclaurin series <c>2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))</c>
/// below |x| = 2.5, and <c>1 - erfc(x)</c> with Numerical Recipes' Chebyshev fit of erfc (fractional error below 1.2e-7)
/// above, where erfc is small. The gradient, <c>2 / sqrt(pi) * exp(-x^2)</c>, uses Tensor ops on the device.
/// </summary>
internal static class ErfFunction
{
    public static Variable Apply(Variable x)
    {
        var data = x.Data;
        var values = data.ToArray();
        for (int i = 0; i < values.Length; i++) values[i] = (float)Erf(values[i]);
        var y = Tensor.FromArray(values, data.Shape, data.Device);
        return Variable.Custom("Erf", y, [x], dY =>
        {
            using var square = data * data;
            using var negative = square * -1f;
            using var exp = negative.Exp();
            using var scaled = exp * (2f / MathF.Sqrt(MathF.PI));
            return [dY * scaled];
        }, "dX = dY * 2/sqrt(pi) * exp(-X^2)");
    }

    internal static double Erf(double x)
    {
        double z = Math.Abs(x);
        if (z < 2.5)
        {
            // Terms alternate and shrink after n > x^2; 60 terms reach double precision at |x| = 2.5.
            double sum = 0, power = x, factorial = 1;
            for (int n = 0; n < 60; n++)
            {
                if (n > 0) { power *= -x * x; factorial *= n; }
                double term = power / (factorial * (2 * n + 1));
                sum += term;
                if (Math.Abs(term) < 1e-17 * Math.Abs(sum)) break;
            }
            return 2.0 / Math.Sqrt(Math.PI) * sum;
        }
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}
