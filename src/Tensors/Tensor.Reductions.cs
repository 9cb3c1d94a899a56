namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Reduces over <paramref name="axes"/> (all axes when null or empty). Shape: the reduced axes become 1 when
    /// <paramref name="keepDim"/>, else they are removed.
    /// </summary>
    public Tensor Reduce(ReduceOp op, int[]? axes = null, bool keepDim = false, float correction = 0f)
    {
        string name = op.ToString();
        var sorted = NormalizeAxes(axes, name);
        if (op is ReduceOp.Max or ReduceOp.Min)
            foreach (int a in sorted)
                if (Shape[a] == 0)
                    throw new ArgumentException($"{name}: cannot reduce over axis {a} of size 0 (shape {Shape}).");
        var keepDims = Shape.ToArray();
        foreach (int a in sorted) keepDims[a] = 1;
        var y = Empty(new Shape(keepDims), Device);
        if (y.Numel > 0) Backend.Reduce(op, this, sorted, y, correction);
        return keepDim ? y : Reshaped(y, DropAxes(keepDims, sorted));
    }

    // A view of a fresh result with other dimensions; the result itself is released so the view alone owns the buffer.
    private static Tensor Reshaped(Tensor fresh, int[] dims)
    {
        var view = fresh.Reshape(dims);
        fresh.Dispose();
        return view;
    }

    /// <summary>Sum over <paramref name="axes"/> (all when none given).</summary>
    public Tensor Sum(int[]? axes = null, bool keepDim = false) => Reduce(ReduceOp.Sum, axes, keepDim);
    /// <summary>Sum along one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Reduce(ReduceOp.Sum, new[] { axis }, keepDim);
    /// <summary>Mean over <paramref name="axes"/> (all when none given).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDim = false) => Reduce(ReduceOp.Mean, axes, keepDim);
    /// <summary>Mean along one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Reduce(ReduceOp.Mean, new[] { axis }, keepDim);
    /// <summary>Maximum over <paramref name="axes"/> (all when none given).</summary>
    public Tensor Max(int[]? axes = null, bool keepDim = false) => Reduce(ReduceOp.Max, axes, keepDim);
    /// <summary>Minimum over <paramref name="axes"/> (all when none given).</summary>
    public Tensor Min(int[]? axes = null, bool keepDim = false) => Reduce(ReduceOp.Min, axes, keepDim);
    /// <summary>Variance with <paramref name="correction"/> (1 = unbiased sample variance, as torch.var's default).</summary>
    public Tensor Variance(int[]? axes = null, bool keepDim = false, float correction = 1f) => Reduce(ReduceOp.Variance, axes, keepDim, correction);
    /// <summary><c>log(sum(exp(x)))</c> over <paramref name="axes"/>, stable for large inputs.</summary>
    public Tensor LogSumExp(int[]? axes = null, bool keepDim = false) => Reduce(ReduceOp.LogSumExp, axes, keepDim);

    /// <summary>Maximum along <paramref name="axis"/> and where it is. Shape: the axis becomes 1 (keepDim) or is removed.</summary>
    public (Tensor Values, Tensor Indices) MaxWithIndex(int axis, bool keepDim = false) => ArgReduce(true, axis, keepDim);
    /// <summary>Minimum along <paramref name="axis"/> and where it is.</summary>
    public (Tensor Values, Tensor Indices) MinWithIndex(int axis, bool keepDim = false) => ArgReduce(false, axis, keepDim);
    /// <summary>Position of the maximum along <paramref name="axis"/> (first on ties), as floats.</summary>
    public Tensor ArgMax(int axis, bool keepDim = false) => IndicesOnly(ArgReduce(true, axis, keepDim));
    /// <summary>Position of the minimum along <paramref name="axis"/> (first on ties), as floats.</summary>
    public Tensor ArgMin(int axis, bool keepDim = false) => IndicesOnly(ArgReduce(false, axis, keepDim));

    private static Tensor IndicesOnly((Tensor Values, Tensor Indices) result)
    {
        result.Values.Dispose();
        return result.Indices;
    }

    private (Tensor Values, Tensor Indices) ArgReduce(bool max, int axis, bool keepDim)
    {
        string name = max ? "ArgMax" : "ArgMin";
        int a = Shape.NormalizeAxis(axis, name);
        if (Shape[a] == 0) throw new ArgumentException($"{name}: axis {axis} has size 0 (shape {Shape}).");
        var keepDims = Shape.ToArray();
        keepDims[a] = 1;
        var values = Empty(new Shape(keepDims), Device);
        var indices = Empty(new Shape(keepDims), Device);
        if (values.Numel > 0) Backend.ArgReduce(max, this, a, values, indices);
        if (keepDim) return (values, indices);
        var dims = DropAxes(keepDims, new[] { a });
        return (Reshaped(values, dims), Reshaped(indices, dims));
    }

    /// <summary>Softmax along <paramref name="axis"/>, computed with the maximum subtracted. Shape: unchanged.</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxCore(axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/>, <c>x - logsumexp(x)</c>. Shape: unchanged.</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxCore(axis, log: true);

    private Tensor SoftmaxCore(int axis, bool log)
    {
        int a = Shape.NormalizeAxis(axis, log ? "LogSoftmax" : "Softmax");
        var y = Empty(Shape, Device);
        if (Numel > 0) Backend.Softmax(this, a, y, log);
        return y;
    }

    private int[] NormalizeAxes(int[]? axes, string op)
    {
        if (axes is null || axes.Length == 0) return Enumerable.Range(0, Rank).ToArray();
        var set = new SortedSet<int>();
        foreach (int axis in axes)
            if (!set.Add(Shape.NormalizeAxis(axis, op)))
                throw new ArgumentException($"{op}: axis {axis} is listed twice in [{string.Join(", ", axes)}] for shape {Shape}.");
        return set.ToArray();
    }

    private static int[] DropAxes(int[] dims, int[] sortedAxes)
    {
        var list = new List<int>();
        for (int i = 0; i < dims.Length; i++)
            if (Array.BinarySearch(sortedAxes, i) < 0) list.Add(dims[i]);
        return list.ToArray();
    }
}
