using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// What every op uses to join the graph: <see cref="Record"/> wraps a forward result in a Variable and, when a
/// gradient will be needed, attaches the node with its backward rule; <see cref="SumToShape"/> undoes broadcasting
/// in a gradient. Ops import it with <c>using static</c>.
/// </summary>
internal static class Graph
{
    /// <summary>
    /// Wraps <paramref name="output"/> in a Variable. When grad mode is on and an input requires grad, the Variable
    /// gets a node holding <paramref name="backward"/>, which maps the output's gradient to one gradient per input
    /// (null where an input does not require grad). <paramref name="owned"/> lists tensors only the rule uses (a mask,
    /// pooling indices): they are disposed when the graph is released, or at once when nothing is recorded.
    /// </summary>
    public static Variable Record(string op, Tensor output, Variable[] inputs, string rule,
        Func<Tensor, Tensor?[]> backward, params Tensor[]? owned)
    {
        if (Anomaly.IsEnabled) Anomaly.Check(output, () => $"{op} (forward, output of shape {output.Shape})");
        bool track = false;
        if (!NoGrad.IsActive)
            foreach (var input in inputs)
                track |= input.RequiresGrad;
        if (!track)
        {
            if (owned is not null)
                foreach (var t in owned) t.Dispose();
            var made = new Variable(output);
            // An op that hands back an input's own tensor has made nothing that a release scope could free.
            if (ReleaseScope.IsActive && !IsInputData(output, inputs)) ReleaseScope.Track(made);
            return made;
        }
        var node = new Node(op, inputs, rule, backward, owned is { Length: > 0 } ? owned : null);
        var result = new Variable(output, node);
        node.Output = result;
        return result;
    }

    private static bool IsInputData(Tensor output, Variable[] inputs)
    {
        foreach (var input in inputs)
            if (ReferenceEquals(input.Data, output)) return true;
        return false;
    }

    /// <summary>
    /// Sums <paramref name="gradient"/> back to <paramref name="shape"/>: the gradient of an input that was broadcast
    /// is the sum of the output's gradient over every position the input was copied to (the added leading axes, and
    /// the axes where the input had size 1). Returns <paramref name="gradient"/> itself when nothing was broadcast.
    /// Shape: <c>gradient</c> has a shape that <c>shape</c> broadcasts to; the result has <c>shape</c>.
    /// </summary>
    /// <param name="gradient">The gradient of the broadcast result.</param>
    /// <param name="shape">The shape of the input before broadcasting.</param>
    /// <param name="temporary">
    /// True when <paramref name="gradient"/> is a temporary the caller will not use again: when a sum is taken it is
    /// disposed, so its buffer goes back to the pool.
    /// </param>
    public static Tensor SumToShape(Tensor gradient, Shape shape, bool temporary = false)
    {
        if (gradient.Shape == shape) return gradient;
        int lead = gradient.Rank - shape.Rank;
        if (lead < 0)
            throw new ArgumentException($"SumToShape: a gradient of shape {gradient.Shape} cannot come from broadcasting shape {shape}.");
        var axes = new List<int>();
        for (int i = 0; i < gradient.Rank; i++)
        {
            if (i < lead) axes.Add(i);
            else if (shape[i - lead] == 1 && gradient.Shape[i] != 1) axes.Add(i);
            else if (shape[i - lead] != gradient.Shape[i])
                throw new ArgumentException($"SumToShape: a gradient of shape {gradient.Shape} cannot come from broadcasting shape {shape}.");
        }
        Tensor result;
        if (axes.Count == 0) result = gradient.Reshape(shape.ToArray());
        else
        {
            using var kept = gradient.Sum(axes.ToArray(), keepDim: true);
            result = kept.Reshape(shape.ToArray());
        }
        if (temporary) gradient.Dispose();
        return result;
    }

    /// <summary>A second Tensor object over the same elements, so that two owners can each dispose their own.</summary>
    public static Tensor Alias(Tensor t) => t.Expand(t.Shape.ToArray());
}
