using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Reductions over axes. Every backward rule first puts dY back into the "kept" shape (reduced axes as size 1), so
// that it broadcasts against X; dYk below is that view.
public sealed partial class Variable
{
    /// <summary>
    /// Sum over <paramref name="axes"/> (all axes when null or empty). Shape: reduced axes become 1 with
    /// <paramref name="keepDim"/>, else they are removed.
    /// </summary>
    public Variable Sum(int[]? axes = null, bool keepDim = false)
    {
        var shape = Shape;
        return Record("Sum", Data.Sum(axes, keepDim), [this], "dX = dY broadcast back over the summed axes", dY =>
        {
            using var dYk = KeptView(dY, shape, axes);
            return [dYk.Expand(shape.ToArray())];
        });
    }

    /// <summary>Sum along one axis.</summary>
    public Variable Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Mean over <paramref name="axes"/> (all axes when null or empty).</summary>
    public Variable Mean(int[]? axes = null, bool keepDim = false)
    {
        var shape = Shape;
        int count = ReducedCount(shape, axes);
        return Record("Mean", Data.Mean(axes, keepDim), [this], $"dX = dY / {count} broadcast back over the averaged axes", dY =>
        {
            using var dYk = KeptView(dY, shape, axes);
            using var scaled = dYk / count;
            return [scaled.Expand(shape.ToArray())];
        });
    }

    /// <summary>Mean along one axis.</summary>
    public Variable Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>
    /// Maximum over <paramref name="axes"/> (all when null or empty). The gradient goes to the maximal elements,
    /// split evenly among ties (as torch.amax).
    /// </summary>
    public Variable Max(int[]? axes = null, bool keepDim = false) => ReduceExtremum(axes, keepDim, max: true);

    /// <summary>Minimum over <paramref name="axes"/> (all when null or empty); ties split the gradient.</summary>
    public Variable Min(int[]? axes = null, bool keepDim = false) => ReduceExtremum(axes, keepDim, max: false);

    private Variable ReduceExtremum(int[]? axes, bool keepDim, bool max)
    {
        var x = Data;
        var y = max ? x.Max(axes, keepDim) : x.Min(axes, keepDim);
        string op = max ? "Max" : "Min";
        return Record(op, y, [this], "dX = dY * [X == Y] / (number of ties)", dY =>
        {
            using var yk = KeptView(y, x.Shape, axes);
            using var dYk = KeptView(dY, x.Shape, axes);
            using var winners = x.Eq(yk);
            using var ties = winners.Sum(axes, keepDim: true);
            using var share = dYk / ties;
            return [winners * share];
        });
    }

    /// <summary>
    /// Maximum along <paramref name="axis"/> and its position (first on ties); the gradient goes to that position only.
    /// Shape: the axis becomes 1 (<paramref name="keepDim"/>) or is removed, for both values and indices.
    /// </summary>
    public (Variable Values, Tensor Indices) MaxWithIndex(int axis, bool keepDim = false) => ArgExtremum(axis, keepDim, max: true);

    /// <summary>Minimum along <paramref name="axis"/> and its position (first on ties).</summary>
    public (Variable Values, Tensor Indices) MinWithIndex(int axis, bool keepDim = false) => ArgExtremum(axis, keepDim, max: false);

    private (Variable, Tensor) ArgExtremum(int axis, bool keepDim, bool max)
    {
        var x = Data;
        int a = x.Shape.NormalizeAxis(axis, max ? "MaxWithIndex" : "MinWithIndex");
        var (values, indices) = max ? x.MaxWithIndex(a, keepDim) : x.MinWithIndex(a, keepDim);
        var result = Record(max ? "MaxWithIndex" : "MinWithIndex", values, [this], "dX = dY at the selected index along the axis, 0 elsewhere", dY =>
        {
            using var dYk = KeptView(dY, x.Shape, [a]);
            using var ik = KeptView(indices, x.Shape, [a]);
            using var positions = PositionsAlong(x, a);
            using var selected = positions.Eq(ik);
            return [selected * dYk];
        });
        return (result, indices);
    }

    /// <summary>
    /// Variance over <paramref name="axes"/> with <paramref name="correction"/> (1: unbiased sample variance, as
    /// torch.var; 0: population variance).
    /// </summary>
    public Variable Variance(int[]? axes = null, bool keepDim = false, float correction = 1f)
    {
        var x = Data;
        int count = ReducedCount(x.Shape, axes);
        return Record("Variance", x.Variance(axes, keepDim, correction), [this], $"dX = dY * 2 (X - mean) / (N - {correction:G4}), N = {count}", dY =>
        {
            using var mean = x.Mean(axes, keepDim: true);
            using var centered = x - mean;
            using var dYk = KeptView(dY, x.Shape, axes);
            using var scaled = dYk * (2f / (count - correction));
            return [centered * scaled];
        });
    }

    /// <summary>Standard deviation, <c>sqrt(Variance)</c>; composite, so its gradient comes from those two rules.</summary>
    public Variable Std(int[]? axes = null, bool keepDim = false, float correction = 1f) => Variance(axes, keepDim, correction).Sqrt();

    /// <summary><c>Y = log(sum(exp(X)))</c> over <paramref name="axes"/>, computed stably.</summary>
    public Variable LogSumExp(int[]? axes = null, bool keepDim = false)
    {
        var x = Data;
        var y = x.LogSumExp(axes, keepDim);
        return Record("LogSumExp", y, [this], "dX = dY * exp(X - Y)  (the softmax of X)", dY =>
        {
            using var yk = KeptView(y, x.Shape, axes);
            using var dYk = KeptView(dY, x.Shape, axes);
            using var shifted = x - yk;
            using var softmax = shifted.Exp();
            return [softmax * dYk];
        });
    }

    /// <summary>A view of a reduced tensor with the reduced axes restored as size 1, so it broadcasts against the input.</summary>
    private static Tensor KeptView(Tensor reduced, Shape inputShape, int[]? axes)
    {
        var dims = inputShape.ToArray();
        if (axes is null || axes.Length == 0) Array.Fill(dims, 1);
        else
            foreach (int axis in axes) dims[inputShape.NormalizeAxis(axis, "Reduce")] = 1;
        return reduced.Reshape(dims);
    }

    private static int ReducedCount(Shape shape, int[]? axes)
    {
        if (axes is null || axes.Length == 0) return shape.Numel;
        int n = 1;
        foreach (int axis in axes) n *= shape[shape.NormalizeAxis(axis, "Reduce")];
        return n;
    }

    /// <summary>0, 1, ..., n-1 laid along <paramref name="axis"/> of a tensor shaped like <paramref name="x"/> (size 1 elsewhere).</summary>
    private static Tensor PositionsAlong(Tensor x, int axis)
    {
        var dims = Enumerable.Repeat(1, x.Rank).ToArray();
        dims[axis] = x.Shape[axis];
        using var line = Tensor.Arange(0, x.Shape[axis], 1, x.Device);
        return line.Reshape(dims);
    }
}
