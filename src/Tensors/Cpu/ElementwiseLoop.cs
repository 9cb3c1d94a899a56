namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The iteration space shared by every elementwise kernel: up to four same-shape views (operand 0 is the output),
/// with dimensions ordered by the output's strides and merged where all views allow (<see cref="StridedView.Coalesce"/>),
/// so contiguous tensors of any rank become one row. Work is split into flat element ranges, not rows, so a single
/// long row still spreads across cores; each range is handed to the kernel as row segments.
/// </summary>
internal sealed class ElementwiseLoop
{
    /// <summary>Elements per scheduling block: ranges start on multiples of it, so threads never share a cache line.</summary>
    private const int Block = 1024;

    // Shared, never written: the strides of 1 to 4 contiguous views merged into one row.
    private static readonly int[][][] UnitStrides = [[], [[1]], [[1], [1]], [[1], [1], [1]], [[1], [1], [1], [1]]];

    private readonly float[][] _data;
    private readonly int[] _offsets;
    private readonly int[] _sizes;
    private readonly int[][] _strides;

    /// <summary>Receives one row segment: the first element's offset in each view's array and the element count.</summary>
    public delegate void Segment(ReadOnlySpan<int> offsets, int count);

    private ElementwiseLoop(float[][] data, int[] offsets, int[] sizes, int[][] strides)
    {
        _data = data;
        _offsets = offsets;
        _sizes = sizes;
        _strides = strides;
        Inner = sizes[^1];
        long total = 1;
        foreach (int s in sizes) total *= s;
        Count = (int)total;
    }

    /// <summary>Total number of elements.</summary>
    public int Count { get; }

    /// <summary>Length of a merged row.</summary>
    public int Inner { get; }

    /// <summary>Number of merged dimensions.</summary>
    public int Rank => _sizes.Length;

    /// <summary>Size of merged dimension <paramref name="dim"/>.</summary>
    public int Size(int dim) => _sizes[dim];

    /// <summary>Stride of merged dimension <paramref name="dim"/> in <paramref name="view"/>.</summary>
    public int Stride(int view, int dim) => _strides[view][dim];

    /// <summary>
    /// Offset in <paramref name="view"/>'s array of the first element of matrix <paramref name="index"/>, counting
    /// row-major over every merged dimension but the last two.
    /// </summary>
    public int MatrixOffset(int view, int index)
    {
        int off = _offsets[view];
        for (int d = _sizes.Length - 3; d >= 0; d--)
        {
            off += index % _sizes[d] * _strides[view][d];
            index /= _sizes[d];
        }
        return off;
    }

    /// <summary>The arrays of the views, in the order given.</summary>
    public float[] Data(int view) => _data[view];

    /// <summary>Step between consecutive elements of a row in <paramref name="view"/> (0 for a broadcast operand).</summary>
    public int InnerStride(int view) => _strides[view][^1];

    /// <summary>Plans a loop over <paramref name="views"/>; the first is the output and decides the traversal order.</summary>
    public static ElementwiseLoop Create(params Tensor[] views)
    {
        var data = new float[views.Length][];
        var offsets = new int[views.Length];
        for (int v = 0; v < views.Length; v++)
        {
            data[v] = StridedView.DataOf(views[v]);
            offsets[v] = views[v].Offset;
        }

        bool allContiguous = true;
        foreach (var t in views) allContiguous &= t.IsContiguous;
        if (allContiguous)
            return new ElementwiseLoop(data, offsets, [views[0].Numel], UnitStrides[views.Length]);

        int rank = views[0].Rank;
        var order = OutputOrder(views[0]);
        var sizes = new int[rank];
        var strides = new int[views.Length][];
        for (int v = 0; v < views.Length; v++) strides[v] = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            sizes[d] = views[0].Shape[order[d]];
            for (int v = 0; v < views.Length; v++) strides[v][d] = views[v].Strides[order[d]];
        }
        var (merged, mergedStrides) = StridedView.Coalesce(sizes, strides);
        return new ElementwiseLoop(data, offsets, merged, mergedStrides);
    }

    // Dimensions sorted by decreasing output stride (stable), so a strided output such as x.T is written in memory
    // order and, in place, every operand that shares its layout gets unit inner stride.
    private static int[] OutputOrder(Tensor output)
    {
        var order = Enumerable.Range(0, output.Rank).ToArray();
        if (output.IsContiguous) return order;
        var strides = output.StridesArray;
        var shape = output.Shape;
        // Insertion sort: rank is small and the order of equal strides must be kept.
        for (int i = 1; i < order.Length; i++)
        {
            int cur = order[i], j = i - 1;
            while (j >= 0 && Key(order[j]) < Key(cur)) { order[j + 1] = order[j]; j--; }
            order[j + 1] = cur;
        }
        return order;

        long Key(int d) => shape[d] == 1 ? long.MaxValue : Math.Abs((long)strides[d]);
    }

    /// <summary>
    /// Runs <paramref name="segment"/> over every row segment, serially for small loops and across cores for large ones.
    /// <paramref name="costPerElement"/> weighs the op against a plain add (1) for the serial/parallel decision.
    /// </summary>
    public void Run(int costPerElement, Segment segment)
    {
        if (Count == 0) return;
        int blocks = (Count + Block - 1) / Block;
        if (blocks == 1 || (long)Count * costPerElement <= CpuParallel.SerialThreshold)
        {
            RunRange(0, Count, segment);
            return;
        }
        CpuParallel.For(blocks, (long)Block * costPerElement, (b0, b1) =>
            RunRange(b0 * Block, (int)Math.Min((long)b1 * Block, Count), segment));
    }

    private void RunRange(int start, int end, Segment segment)
    {
        int views = _offsets.Length;
        Span<int> offsets = stackalloc int[views];
        int row = start / Inner, col = start % Inner;
        int pos = start;
        while (pos < end)
        {
            int count = Math.Min(Inner - col, end - pos);
            for (int v = 0; v < views; v++)
                offsets[v] = StridedView.RowOffset(row, _sizes, _strides[v], _offsets[v]) + col * _strides[v][^1];
            segment(offsets, count);
            pos += count;
            row++;
            col = 0;
        }
    }
}
