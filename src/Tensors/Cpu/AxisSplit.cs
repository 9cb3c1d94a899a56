namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// A row-major loop over one shape split around an axis: the dimensions before it (outer), the axis itself
/// (length) and the dimensions after it (inner). Each tensor the loop touches has its own strides, so a kernel
/// asks for the outer offset and the inner walk of each one.
/// </summary>
internal readonly struct AxisSplit
{
    private readonly int[] _sizes;

    /// <summary>The axis the loop is split around.</summary>
    public readonly int Axis;
    /// <summary>Product of the sizes before <see cref="Axis"/>.</summary>
    public readonly int Outer;
    /// <summary>Size of <see cref="Axis"/>.</summary>
    public readonly int Length;
    /// <summary>Product of the sizes after <see cref="Axis"/>.</summary>
    public readonly int Inner;

    public AxisSplit(Shape shape, int axis)
    {
        _sizes = shape.ToArray();
        Axis = axis;
        Outer = 1;
        for (int d = 0; d < axis; d++) Outer *= _sizes[d];
        Length = _sizes[axis];
        Inner = 1;
        for (int d = axis + 1; d < _sizes.Length; d++) Inner *= _sizes[d];
    }

    /// <summary>Offset of outer position <paramref name="outer"/> in a tensor with <paramref name="strides"/> starting at <paramref name="baseOffset"/>.</summary>
    public int OuterOffset(int outer, int[] strides, int baseOffset)
    {
        if (Axis == 0) return baseOffset;
        int off = baseOffset;
        for (int d = Axis - 1; d > 0; d--)
        {
            off += outer % _sizes[d] * strides[d];
            outer /= _sizes[d];
        }
        // What remains is below the first size, so the first axis needs no division.
        return off + outer * strides[0];
    }

    /// <summary>The offsets of the inner positions (relative to a slice start) in a tensor with <paramref name="strides"/>.</summary>
    public InnerWalk InnerWalk(int[] strides)
    {
        if (Axis == _sizes.Length - 1) return new InnerWalk(1, null);
        var sizes = _sizes[(Axis + 1)..];
        var (merged, mergedStrides) = StridedView.Coalesce(sizes, strides[(Axis + 1)..]);
        if (merged.Length == 1) return new InnerWalk(mergedStrides[0][0], null);
        // Dimensions that do not merge: list every offset once rather than re-deriving it per element.
        var table = new int[Inner];
        var inner = strides[(Axis + 1)..];
        for (int i = 0; i < Inner; i++)
        {
            int rest = i, off = 0;
            for (int d = sizes.Length - 1; d >= 0; d--)
            {
                off += rest % sizes[d] * inner[d];
                rest /= sizes[d];
            }
            table[i] = off;
        }
        return new InnerWalk(0, table);
    }

    /// <summary>
    /// How many pieces to cut the inner range of each of <paramref name="rows"/> rows into, so that a loop with
    /// few long rows still spreads over every core; 1 when rows alone are enough.
    /// </summary>
    public static int ChunksFor(int rows, int inner)
    {
        int wanted = 2 * CpuParallel.MaxThreads;
        if (rows >= wanted || inner < 256) return 1;
        return Math.Min((wanted + rows - 1) / rows, inner / 128);
    }
}

/// <summary>Offsets of the inner positions of one tensor: <c>i * Stride</c>, or <c>Table[i]</c> when the dimensions do not merge.</summary>
internal readonly struct InnerWalk(int stride, int[]? table)
{
    /// <summary>Step between inner elements when <see cref="Table"/> is null.</summary>
    public readonly int Stride = stride;
    /// <summary>Explicit offsets, or null when a single stride describes the walk.</summary>
    public readonly int[]? Table = table;

    /// <summary>True when the inner elements are adjacent in memory.</summary>
    public bool IsContiguous => Table is null && Stride == 1;

    /// <summary>Offset of inner element <paramref name="i"/>.</summary>
    public int this[int i] => Table is null ? i * Stride : Table[i];
}
