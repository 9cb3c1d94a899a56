namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// <c>y[i][j][k] = x[i][index[i][j][k]][k]</c> for axis 1, and likewise for other axes (as torch.gather).
    /// Shape: index has this tensor's rank, and each of its sizes fits this tensor's except along <paramref name="axis"/>; y has index's shape.
    /// Index values are whole numbers stored as floats; an out-of-range one is an error naming its position.
    /// </summary>
    public Tensor Gather(int axis, Tensor index)
    {
        int a = Shape.NormalizeAxis(axis, "Gather");
        CheckSameDevice("Gather", index);
        CheckIndexShape("Gather", index, a);
        var y = Empty(index.Shape, Device);
        if (y.Numel > 0) Backend.Gather(this, a, index.Contiguous(), y);
        return y;
    }

    /// <summary>A copy of this tensor with <c>source</c> added at <paramref name="index"/> along <paramref name="axis"/> (as torch.scatter_add).</summary>
    public Tensor ScatterAdd(int axis, Tensor index, Tensor source) => Clone().ScatterAddInPlace(axis, index, source);

    /// <summary>
    /// In place: <c>this[i][index[i][j]] += source[i][j]</c> for axis 1 (as torch.scatter_add_). Shape: index and source alike,
    /// each size fitting this tensor's except along <paramref name="axis"/>. This tensor must be contiguous.
    /// </summary>
    public Tensor ScatterAddInPlace(int axis, Tensor index, Tensor source)
    {
        int a = Shape.NormalizeAxis(axis, "ScatterAdd");
        CheckSameDevice("ScatterAdd", index);
        CheckSameDevice("ScatterAdd", source);
        if (!IsContiguous) throw new InvalidOperationException($"ScatterAdd: the target (shape {Shape}) must be contiguous.");
        CheckIndexShape("ScatterAdd", index, a);
        if (source.Shape != index.Shape) throw new ArgumentException($"ScatterAdd: source shape {source.Shape} differs from index shape {index.Shape}.");
        if (index.Numel > 0) Backend.ScatterAdd(this, a, index.Contiguous(), source);
        return this;
    }

    /// <summary>Whole slices along <paramref name="axis"/> at the positions in <paramref name="index"/>. Shape: index <c>[K]</c>; the axis becomes K.</summary>
    public Tensor IndexSelect(int axis, Tensor index)
    {
        int a = Shape.NormalizeAxis(axis, "IndexSelect");
        CheckSameDevice("IndexSelect", index);
        if (index.Rank != 1) throw new ArgumentException($"IndexSelect: index must be 1-D, got shape {index.Shape}.");
        var dims = Shape.ToArray();
        dims[a] = index.Numel;
        var y = Empty(new Shape(dims), Device);
        if (y.Numel > 0) Backend.IndexSelect(this, a, index.Contiguous(), y);
        return y;
    }

    /// <summary>
    /// In place: slice <c>i</c> of <paramref name="source"/> along <paramref name="axis"/> is added to slice <c>index[i]</c> of this
    /// tensor (as torch.index_add_). This tensor must be contiguous.
    /// </summary>
    public Tensor IndexAddInPlace(int axis, Tensor index, Tensor source)
    {
        int a = Shape.NormalizeAxis(axis, "IndexAdd");
        CheckSameDevice("IndexAdd", index);
        CheckSameDevice("IndexAdd", source);
        if (!IsContiguous) throw new InvalidOperationException($"IndexAdd: the target (shape {Shape}) must be contiguous.");
        if (index.Rank != 1) throw new ArgumentException($"IndexAdd: index must be 1-D, got shape {index.Shape}.");
        var dims = Shape.ToArray();
        dims[a] = index.Numel;
        if (source.Shape != new Shape(dims))
            throw new ArgumentException($"IndexAdd: source must have shape {Shape.Format(dims)}, got {source.Shape}.");
        if (source.Numel > 0) Backend.IndexAdd(this, a, index.Contiguous(), source);
        return this;
    }

    /// <summary>One-hot encoding of class numbers. Shape: <c>[*] -&gt; [*, classes]</c>.</summary>
    public static Tensor OneHot(Tensor index, int classes)
    {
        if (classes <= 0) throw new ArgumentException($"OneHot: the number of classes must be positive, got {classes}.");
        var dims = index.Shape.ToArray().Append(classes).ToArray();
        var y = Empty(new Shape(dims), index.Device);
        if (y.Numel > 0) index.Backend.OneHot(index.Contiguous(), classes, y);
        return y;
    }

    /// <summary>Joins tensors along an existing axis. Shape: all equal except along <paramref name="axis"/>, whose sizes add.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat: no tensors given.");
        var first = tensors[0];
        int a = first.Shape.NormalizeAxis(axis, "Concat");
        var dims = first.Shape.ToArray();
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            var x = tensors[t];
            first.CheckSameDevice("Concat", x);
            if (x.Rank != first.Rank)
                throw new ArgumentException($"Concat: tensor {t} has rank {x.Rank} (shape {x.Shape}) but tensor 0 has rank {first.Rank} (shape {first.Shape}).");
            for (int i = 0; i < dims.Length; i++)
                if (i != a && x.Shape[i] != dims[i])
                    throw new ArgumentException($"Concat: tensor {t} has shape {x.Shape}, which differs from tensor 0's {first.Shape} outside axis {a}.");
            total += x.Shape[a];
        }
        dims[a] = total;
        var y = Empty(new Shape(dims), first.Device);
        int start = 0;
        foreach (var x in tensors)
        {
            int len = x.Shape[a];
            if (len > 0 && x.Numel > 0) first.Backend.Copy(x, y.Narrow(a, start, len));
            start += len;
        }
        return y;
    }

    /// <summary>Joins equally shaped tensors along a new axis. Shape: <c>[*] x K -&gt; [..., K, ...]</c> with K at <paramref name="axis"/>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack: no tensors given.");
        for (int t = 1; t < tensors.Count; t++)
            if (tensors[t].Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: tensor {t} has shape {tensors[t].Shape} but tensor 0 has {tensors[0].Shape}.");
        int r = tensors[0].Rank;
        int a = axis < 0 ? axis + r + 1 : axis;
        if (a < 0 || a > r) throw new ArgumentOutOfRangeException(nameof(axis), $"Stack: axis {axis} is out of range for tensors of rank {r}.");
        return Concat(tensors.Select(t => t.Unsqueeze(a)).ToList(), a);
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes, which must add up to the axis. Views.</summary>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        int a = Shape.NormalizeAxis(axis, "Split");
        if (sizes.Any(s => s < 0) || sizes.Sum() != Shape[a])
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] do not add up to axis {axis} of size {Shape[a]} (shape {Shape}).");
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Narrow(a, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of <paramref name="size"/> (the last may be smaller). Views.</summary>
    public Tensor[] Split(int size, int axis = 0)
    {
        int a = Shape.NormalizeAxis(axis, "Split");
        if (size <= 0) throw new ArgumentException($"Split: piece size must be positive, got {size}.");
        int n = Shape[a];
        var sizes = new List<int>();
        for (int s = 0; s < n; s += size) sizes.Add(Math.Min(size, n - s));
        return Split(sizes.ToArray(), a);
    }

    /// <summary>
    /// Pads the last dimensions, PyTorch's F.pad order: <c>(left, right)</c> for the last axis, then <c>(top, bottom)</c>
    /// for the one before, and so on. Reflect needs each pad smaller than its axis. Shape: padded axes grow by before + after.
    /// </summary>
    public Tensor Pad(int[] pads, PadMode mode = PadMode.Constant, float value = 0f)
    {
        var full = FullPads(pads, mode, "Pad");
        var dims = Shape.ToArray();
        for (int i = 0; i < Rank; i++) dims[i] += full[2 * i] + full[2 * i + 1];
        var y = Empty(new Shape(dims), Device);
        if (y.Numel > 0) Backend.Pad(this, full, mode, value, y);
        return y;
    }

    /// <summary>The gradient of <see cref="Pad"/>: sums each output gradient into the input element it was copied from.</summary>
    public static Tensor PadBackward(Tensor gradOutput, Shape inputShape, int[] pads, PadMode mode)
    {
        var probe = Empty(inputShape, gradOutput.Device);
        var full = probe.FullPads(pads, mode, "PadBackward");
        var dims = inputShape.ToArray();
        for (int i = 0; i < dims.Length; i++) dims[i] += full[2 * i] + full[2 * i + 1];
        ExpectShape("PadBackward", "gradOutput", gradOutput.Shape, new Shape(dims));
        if (probe.Numel > 0) gradOutput.Backend.PadBackward(gradOutput.Contiguous(), full, mode, probe);
        return probe;
    }

    private int[] FullPads(int[] pads, PadMode mode, string op)
    {
        if (pads.Length % 2 != 0 || pads.Length / 2 > Rank)
            throw new ArgumentException($"{op}: pads must come in (before, after) pairs for at most {Rank} axes, got {pads.Length} values for shape {Shape}.");
        var full = new int[2 * Rank];
        for (int k = 0; k < pads.Length / 2; k++)
        {
            int axis = Rank - 1 - k;
            int before = pads[2 * k], after = pads[2 * k + 1];
            if (before < 0 || after < 0) throw new ArgumentException($"{op}: negative padding ({before}, {after}) for axis {axis}.");
            if (mode == PadMode.Reflect && (before >= Shape[axis] || after >= Shape[axis]))
                throw new ArgumentException($"{op}: reflect padding ({before}, {after}) must be smaller than axis {axis} of size {Shape[axis]} (shape {Shape}).");
            if (mode == PadMode.Replicate && Shape[axis] == 0 && before + after > 0)
                throw new ArgumentException($"{op}: cannot replicate-pad axis {axis} of size 0.");
            full[2 * axis] = before;
            full[2 * axis + 1] = after;
        }
        return full;
    }

    private void CheckIndexShape(string op, Tensor index, int axis)
    {
        if (index.Rank != Rank)
            throw new ArgumentException($"{op}: index has rank {index.Rank} (shape {index.Shape}) but the input has rank {Rank} (shape {Shape}).");
        for (int i = 0; i < Rank; i++)
            if (i != axis && index.Shape[i] > Shape[i])
                throw new ArgumentException($"{op}: index shape {index.Shape} is larger than input shape {Shape} in dimension {i}.");
    }
}
