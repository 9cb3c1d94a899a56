namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The same elements with another shape. One size may be -1 (inferred). Returns a view when the strides allow
    /// it, otherwise a contiguous copy (as torch.reshape).
    /// Shape: <c>Numel</c> is preserved.
    /// </summary>
    public Tensor Reshape(params int[] shape)
    {
        var dims = InferShape(shape, "Reshape");
        if (IsContiguous) return new Tensor(Storage, new Shape(dims), new Shape(dims).ContiguousStrides(), Offset);
        var viewStrides = ViewStrides(dims);
        if (viewStrides != null) return new Tensor(Storage, new Shape(dims), viewStrides, Offset);
        // The copy is contiguous, so its reshape is a view; releasing the copy leaves that view the only owner.
        using var copy = Clone();
        return copy.Reshape(dims);
    }

    /// <summary>Like <see cref="Reshape"/> but never copies: fails if the strides do not allow a view (as torch.view).</summary>
    public Tensor View(params int[] shape)
    {
        var dims = InferShape(shape, "View");
        var viewStrides = IsContiguous ? new Shape(dims).ContiguousStrides() : ViewStrides(dims);
        if (viewStrides == null)
            throw new InvalidOperationException($"View: a tensor of shape {Shape} with strides {Shape.Format(_strides)} cannot be viewed as {Shape.Format(dims)} without a copy; call Reshape or Contiguous first.");
        return new Tensor(Storage, new Shape(dims), viewStrides, Offset);
    }

    /// <summary>Collapses dimensions <paramref name="startAxis"/>..<paramref name="endAxis"/> into one.</summary>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = Shape.NormalizeAxis(startAxis, "Flatten"), e = Shape.NormalizeAxis(endAxis, "Flatten");
        if (s > e) throw new ArgumentException($"Flatten: start axis {startAxis} comes after end axis {endAxis} for shape {Shape}.");
        var dims = new List<int>();
        for (int i = 0; i < s; i++) dims.Add(Shape[i]);
        int m = 1;
        for (int i = s; i <= e; i++) m *= Shape[i];
        dims.Add(m);
        for (int i = e + 1; i < Rank; i++) dims.Add(Shape[i]);
        return Reshape(dims.ToArray());
    }

    /// <summary>Reorders the dimensions: result dimension i is this tensor's dimension <c>axes[i]</c>. A view.</summary>
    public Tensor Permute(params int[] axes)
    {
        if (axes.Length != Rank)
            throw new ArgumentException($"Permute: {axes.Length} axes given for a tensor of rank {Rank} (shape {Shape}).");
        var seen = new bool[Rank];
        var dims = new int[Rank];
        var strides = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int a = Shape.NormalizeAxis(axes[i], "Permute");
            if (seen[a]) throw new ArgumentException($"Permute: axis {axes[i]} appears twice in [{string.Join(", ", axes)}].");
            seen[a] = true;
            dims[i] = Shape[a];
            strides[i] = _strides[a];
        }
        return new Tensor(Storage, new Shape(dims), strides, Offset);
    }

    /// <summary>Swaps two dimensions. A view.</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a = Shape.NormalizeAxis(axis0, "Transpose"), b = Shape.NormalizeAxis(axis1, "Transpose");
        var axes = Enumerable.Range(0, Rank).ToArray();
        (axes[a], axes[b]) = (axes[b], axes[a]);
        return Permute(axes);
    }

    /// <summary>The transpose of a matrix, or of the last two dimensions of a batch. A view.</summary>
    public Tensor T => Rank < 2 ? this : Transpose(-2, -1);

    /// <summary>Elements <c>start..start+length-1</c> along <paramref name="axis"/>. A view (as torch.narrow).</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = Shape.NormalizeAxis(axis, "Narrow");
        int size = Shape[a];
        if (start < 0) start += size;
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: range [{start}, {start + length}) is outside axis {axis} of size {size} (shape {Shape}).");
        var dims = Shape.ToArray();
        dims[a] = length;
        return new Tensor(Storage, new Shape(dims), (int[])_strides.Clone(), Offset + (length == 0 ? 0 : start * _strides[a]));
    }

    /// <summary>
    /// Python-style slice <c>start:end:step</c> along <paramref name="axis"/> (negative start and end count from the end;
    /// out-of-range bounds are clipped, as in Python). A view.
    /// </summary>
    public Tensor Slice(int axis, int start, int? end = null, int step = 1)
    {
        int a = Shape.NormalizeAxis(axis, "Slice");
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), $"Slice: step must be positive, got {step}.");
        int size = Shape[a];
        int s = start < 0 ? Math.Max(start + size, 0) : Math.Min(start, size);
        int e = end is null ? size : end.Value < 0 ? Math.Max(end.Value + size, 0) : Math.Min(end.Value, size);
        int len = e > s ? (e - s + step - 1) / step : 0;
        var dims = Shape.ToArray();
        dims[a] = len;
        var strides = (int[])_strides.Clone();
        strides[a] *= step;
        return new Tensor(Storage, new Shape(dims), strides, Offset + (len == 0 ? 0 : s * _strides[a]));
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, that axis removed. A view.</summary>
    public Tensor Select(int axis, int index)
    {
        int a = Shape.NormalizeAxis(axis, "Select");
        int size = Shape[a];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size)
            throw new ArgumentOutOfRangeException(nameof(index), $"Select: index {index} is out of range for axis {axis} of size {size} (shape {Shape}).");
        var dims = new List<int>(Shape.ToArray());
        var strides = new List<int>(_strides);
        dims.RemoveAt(a);
        strides.RemoveAt(a);
        return new Tensor(Storage, new Shape(dims.ToArray()), strides.ToArray(), Offset + i * _strides[a]);
    }

    /// <summary>
    /// Broadcasts to <paramref name="shape"/> without copying: size-1 dimensions get stride 0, and new leading
    /// dimensions may be added. -1 keeps a size.
    /// </summary>
    public Tensor Expand(params int[] shape)
    {
        if (shape.Length < Rank)
            throw new ArgumentException($"Expand: cannot expand shape {Shape} to fewer dimensions {Shape.Format(shape)}.");
        int lead = shape.Length - Rank;
        var dims = new int[shape.Length];
        var strides = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            int target = shape[i];
            if (i < lead)
            {
                if (target < 0) throw new ArgumentException($"Expand: size -1 is not allowed for the new leading dimension {i} in {Shape.Format(shape)}.");
                dims[i] = target;
                strides[i] = 0;
                continue;
            }
            int own = Shape[i - lead];
            if (target == -1) target = own;
            if (own == target) { dims[i] = own; strides[i] = _strides[i - lead]; }
            else if (own == 1) { dims[i] = target; strides[i] = 0; }
            else throw new ArgumentException($"Expand: shape {Shape} cannot be expanded to {Shape.Format(shape)} (dimension {i}: {own} is neither {target} nor 1).");
        }
        return new Tensor(Storage, new Shape(dims), strides, Offset);
    }

    /// <summary>Expands to the shape of <paramref name="other"/>.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.Shape.ToArray());

    /// <summary>Removes every size-1 dimension, or only <paramref name="axis"/> when given (and of size 1). A view.</summary>
    public Tensor Squeeze(int? axis = null)
    {
        var dims = new List<int>();
        var strides = new List<int>();
        int only = axis is null ? -1 : Shape.NormalizeAxis(axis.Value, "Squeeze");
        for (int i = 0; i < Rank; i++)
        {
            bool drop = Shape[i] == 1 && (only < 0 || only == i);
            if (!drop) { dims.Add(Shape[i]); strides.Add(_strides[i]); }
        }
        return new Tensor(Storage, new Shape(dims.ToArray()), strides.ToArray(), Offset);
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="axis"/> (0..Rank; negatives count from the end). A view.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Unsqueeze: axis {axis} is out of range for shape {Shape} (allowed {-Rank - 1}..{Rank}).");
        var dims = new List<int>(Shape.ToArray());
        var strides = new List<int>(_strides);
        int stride = a < Rank ? _strides[a] * Shape[a] : 1;
        dims.Insert(a, 1);
        strides.Insert(a, stride);
        return new Tensor(Storage, new Shape(dims.ToArray()), strides.ToArray(), Offset);
    }

    private int[] InferShape(int[] shape, string op)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one size may be -1, got {Shape.Format(shape)}.");
                infer = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"{op}: size {shape[i]} in {Shape.Format(shape)} is negative.");
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"{op}: cannot reshape {Shape} ({Numel} elements) to {Shape.Format(shape)}.");
            dims[infer] = (int)(Numel / known);
        }
        else if (known != Numel)
            throw new ArgumentException($"{op}: cannot reshape {Shape} ({Numel} elements) to {Shape.Format(shape)} ({known} elements).");
        return dims;
    }

    // Strides for a view of a non-contiguous tensor with new sizes, or null when a copy is required.
    // Works chunk by chunk: each run of old dimensions that is contiguous in memory can be re-split freely.
    private int[]? ViewStrides(int[] newDims)
    {
        var oldDims = Shape.ToArray();
        var newStrides = new int[newDims.Length];
        if (Numel == 0) return new Shape(newDims).ContiguousStrides();
        int viewD = newDims.Length - 1;
        int chunkBaseStride = oldDims.Length > 0 ? _strides[^1] : 1;
        long tensorNumel = 1, viewNumel = 1;
        for (int tensorD = oldDims.Length - 1; tensorD >= 0; tensorD--)
        {
            tensorNumel *= oldDims[tensorD];
            if (tensorD == 0 || (oldDims[tensorD - 1] != 1 && _strides[tensorD - 1] != tensorNumel * chunkBaseStride))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || newDims[viewD] == 1))
                {
                    newStrides[viewD] = (int)(viewNumel * chunkBaseStride);
                    viewNumel *= newDims[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (tensorD > 0)
                {
                    chunkBaseStride = _strides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }
}
