using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Softmax and log-softmax along one axis. Both save their output: the Jacobian of softmax is diag(Y) - Y Y^T,
// so dX = Y * (dY - sum(dY * Y)); log-softmax's is I - softmax, so dX = dY - softmax * sum(dY).
public sealed partial class Variable
{
    /// <summary><c>Y = exp(X) / sum(exp(X))</c> along <paramref name="axis"/>. Shape: unchanged.</summary>
    public Variable Softmax(int axis = -1)
    {
        var y = Data.Softmax(axis);
        return Record("Softmax", y, [this], "dX = Y * (dY - sum(dY * Y, axis))", dY =>
        {
            using var dYy = dY * y;
            using var dot = dYy.Sum(axis, keepDim: true);
            using var centered = dY - dot;
            return [y * centered];
        });
    }

    /// <summary><c>Y = X - log(sum(exp(X)))</c> along <paramref name="axis"/>. Shape: unchanged.</summary>
    public Variable LogSoftmax(int axis = -1)
    {
        var y = Data.LogSoftmax(axis);
        return Record("LogSoftmax", y, [this], "dX = dY - exp(Y) * sum(dY, axis)", dY =>
        {
            using var softmax = y.Exp();
            using var total = dY.Sum(axis, keepDim: true);
            using var share = softmax * total;
            return [dY - share];
        });
    }
}
