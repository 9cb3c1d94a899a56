namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// How a run of images is cut into tiles, the unit of work that gets one column matrix and one GEMM per group:
/// either several whole small images side by side (<see cref="Images"/> &gt; 1) or a band of <see cref="Rows"/>
/// output rows of one image. Either way a tile spans about the number of GEMM columns asked for, so its column
/// matrix stays in cache between im2col and the GEMM.
/// </summary>
internal readonly record struct ConvTiling(int Images, int Rows)
{
    /// <summary>
    /// Tiles of at most about <paramref name="columns"/> output pixels (one output row at least) for runs of at most <paramref name="runLength"/> images,
    /// with every column or staging matrix under <paramref name="maxFloats"/>.
    /// </summary>
    public static ConvTiling For(in ConvGeometry g, int columns, int runLength, int maxFloats)
    {
        int pixels = Math.Max(1, g.Pixels), ow = Math.Max(1, g.OW);
        long rowsOfColumns = Math.Max(1, Math.Max(g.Rows, g.O));
        if (2 * pixels <= columns && runLength > 1)
        {
            long images = Math.Min(Math.Min(runLength, columns / pixels), maxFloats / (rowsOfColumns * pixels));
            if (images > 1) return new ConvTiling((int)images, g.OH);
        }
        long rows = Math.Min(Math.Max(1, columns / ow), maxFloats / (rowsOfColumns * ow));
        return new ConvTiling(1, (int)Math.Clamp(rows, 1, Math.Max(1, g.OH)));
    }

    /// <summary>GEMM columns of the widest tile.</summary>
    public int MaxWidth(in ConvGeometry g) => Images > 1 ? Images * g.Pixels : Rows * g.OW;
}

/// <summary>
/// One tile of work: images <c>First .. First+Count-1</c>, output rows <c>[RowStart, RowEnd)</c> (all rows when
/// <c>Count &gt; 1</c>), done by <c>Worker</c>; <c>IsFirst</c> marks the worker's first tile.
/// </summary>
internal readonly record struct ConvTile(int Worker, int First, int Count, int RowStart, int RowEnd, bool IsFirst);
