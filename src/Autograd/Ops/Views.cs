using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Views: ops that only rearrange or select elements. Their backward rules move dY back to where each element came
// from: reshape it back, apply the inverse permutation, or write it into a zero tensor at the selected positions.
// An expanded input received one gradient per copy, so its rule sums them, as for broadcasting.
public sealed partial class Variable
{
    /// <summary>The same elements with another shape (one size may be -1). Shape: <c>Numel</c> preserved.</summary>
    public Variable Reshape(params int[] shape) => ReshapeLike("Reshape", Data.Reshape(shape));

    /// <summary>Like <see cref="Reshape"/> but fails rather than copy (as torch.view).</summary>
    public Variable View(params int[] shape) => ReshapeLike("View", Data.View(shape));

    /// <summary>Collapses axes <paramref name="startAxis"/>..<paramref name="endAxis"/> into one.</summary>
    public Variable Flatten(int startAxis = 0, int endAxis = -1) => ReshapeLike("Flatten", Data.Flatten(startAxis, endAxis));

    /// <summary>Removes every size-1 axis, or only <paramref name="axis"/>.</summary>
    public Variable Squeeze(int? axis = null) => ReshapeLike("Squeeze", Data.Squeeze(axis));

    /// <summary>Inserts a size-1 axis at <paramref name="axis"/>.</summary>
    public Variable Unsqueeze(int axis) => ReshapeLike("Unsqueeze", Data.Unsqueeze(axis));

    private Variable ReshapeLike(string op, Tensor y)
    {
        var shape = Shape;
        return Record(op, y, [this], $"dX = reshape(dY, {shape})", dY => [dY.Reshape(shape.ToArray())]);
    }

    /// <summary>Reorders the axes: result axis i is this Variable's axis <c>axes[i]</c>.</summary>
    public Variable Permute(params int[] axes)
    {
        var y = Data.Permute(axes);
        var inverse = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) inverse[Shape.NormalizeAxis(axes[i], "Permute")] = i;
        return Record("Permute", y, [this], $"dX = permute(dY, [{string.Join(", ", inverse)}])", dY => [dY.Permute(inverse)]);
    }

    /// <summary>Swaps two axes.</summary>
    public Variable Transpose(int axis0, int axis1)
    {
        return Record("Transpose", Data.Transpose(axis0, axis1), [this], $"dX = transpose(dY, {axis0}, {axis1})",
            dY => [dY.Transpose(axis0, axis1)]);
    }

    /// <summary>The transpose of a matrix, or of the last two axes of a batch.</summary>
    public Variable T => Rank < 2 ? this : Transpose(-2, -1);

    /// <summary>Elements <c>start..start+length-1</c> along <paramref name="axis"/> (as torch.narrow).</summary>
    public Variable Narrow(int axis, int start, int length)
    {
        var shape = Shape;
        return Record("Narrow", Data.Narrow(axis, start, length), [this], $"dX = 0;  dX.narrow({axis}, {start}, {length}) = dY",
            dY => [Scatter(shape, dY, g => g.Narrow(axis, start, length))]);
    }

    /// <summary>Python-style slice <c>start:end:step</c> along <paramref name="axis"/>.</summary>
    public Variable Slice(int axis, int start, int? end = null, int step = 1)
    {
        var shape = Shape;
        return Record("Slice", Data.Slice(axis, start, end, step), [this], $"dX = 0;  dX[{start}:{end}:{step} on axis {axis}] = dY",
            dY => [Scatter(shape, dY, g => g.Slice(axis, start, end, step))]);
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, that axis removed.</summary>
    public Variable Select(int axis, int index)
    {
        var shape = Shape;
        return Record("Select", Data.Select(axis, index), [this], $"dX = 0;  dX.select({axis}, {index}) = dY",
            dY => [Scatter(shape, dY, g => g.Select(axis, index))]);
    }

    /// <summary>Broadcasts size-1 axes (and new leading axes) to <paramref name="shape"/> without copying; -1 keeps a size.</summary>
    public Variable Expand(params int[] shape)
    {
        var own = Shape;
        return Record("Expand", Data.Expand(shape), [this], $"dX = dY summed back to {own}", dY => [SumToShape(dY, own)]);
    }

    /// <summary>Expands to the shape of <paramref name="other"/>.</summary>
    public Variable ExpandAs(Variable other) => Expand(other.Shape.ToArray());

    /// <summary>A contiguous copy when this Variable's data is a strided view, itself otherwise.</summary>
    public Variable Contiguous()
    {
        if (Data.IsContiguous) return this;
        return Record("Contiguous", Data.Contiguous(), [this], "dX = dY", dY => [dY]);
    }

    /// <summary>
    /// This Variable on <paramref name="device"/> (itself if already there); the gradient travels back to this device.
    /// </summary>
    public Variable To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (ReferenceEquals(device, Device)) return this;
        var home = Device;
        return Record("To", Data.To(device), [this], $"dX = dY moved to {home}", dY => [dY.To(home)]);
    }

    /// <summary>
    /// The gradient of a selection: zeros of the input's shape with <paramref name="gradient"/> written into the
    /// selected positions (found by applying the same <paramref name="select"/> to the zeros).
    /// </summary>
    private static Tensor Scatter(Shape inputShape, Tensor gradient, Func<Tensor, Tensor> select)
    {
        var result = Tensor.Zeros(inputShape, gradient.Device);
        using var window = select(result);
        window.CopyFrom(gradient);
        return result;
    }
}
