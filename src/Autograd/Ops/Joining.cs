using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Concatenation and splitting. Concat's rule cuts dY into the pieces each input contributed; Split is a set of
// Narrow views, so each piece carries its own rule.
public sealed partial class Variable
{
    /// <summary>Joins Variables along an existing axis. Shape: equal outside <paramref name="axis"/>, whose sizes add.</summary>
    public static Variable Concat(IReadOnlyList<Variable> inputs, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var parts = inputs.ToArray();
        var y = Tensor.Concat(parts.Select(v => v.Data).ToList(), axis);
        int a = parts[0].Shape.NormalizeAxis(axis, "Concat");
        var sizes = parts.Select(v => v.Shape[a]).ToArray();
        return Record("Concat", y, parts, $"dX_i = dY.narrow({a}, offset_i, size_i), sizes [{string.Join(", ", sizes)}]", dY =>
        {
            var grads = new Tensor?[parts.Length];
            int start = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i].RequiresGrad) grads[i] = dY.Narrow(a, start, sizes[i]);
                start += sizes[i];
            }
            return grads;
        });
    }

    /// <summary>Joins equally shaped Variables along a new axis. Composite: Unsqueeze each, then Concat.</summary>
    public static Variable Stack(IReadOnlyList<Variable> inputs, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException("Stack: no Variables given.");
        int rank = inputs[0].Rank;
        int a = axis < 0 ? axis + rank + 1 : axis;
        for (int i = 1; i < inputs.Count; i++)
            if (inputs[i].Shape != inputs[0].Shape)
                throw new ArgumentException($"Stack: input {i} has shape {inputs[i].Shape} but input 0 has {inputs[0].Shape}.");
        return Concat(inputs.Select(v => v.Unsqueeze(a)).ToList(), a);
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes (summing to the axis). Each piece is a Narrow.</summary>
    public Variable[] Split(int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        _ = Data.Split(sizes, axis); // validates the sizes with the tensor layer's message
        var pieces = new Variable[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            pieces[i] = Narrow(axis, start, sizes[i]);
            start += sizes[i];
        }
        return pieces;
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of <paramref name="size"/> (the last may be smaller).</summary>
    public Variable[] Split(int size, int axis = 0)
    {
        int a = Shape.NormalizeAxis(axis, "Split");
        if (size <= 0) throw new ArgumentException($"Split: piece size must be positive, got {size}.");
        var sizes = new List<int>();
        for (int s = 0; s < Shape[a]; s += size) sizes.Add(Math.Min(size, Shape[a] - s));
        return Split(sizes.ToArray(), a);
    }
}
