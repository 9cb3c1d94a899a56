namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The scratch buffers one convolution worker needs for its tiles (<see cref="ConvTiling"/>): the column matrix
/// <c>[C*kh*kw, width]</c> and, for tiles of several images, a staging matrix <c>[O, width]</c> that holds the GEMM
/// result before it is scattered into <c>[N, O, OH, OW]</c> (or dY gathered into it). Rented from and given back
/// to the backend's <see cref="BufferPool"/>, so a training step that repeats its shapes allocates nothing here.
/// </summary>
internal sealed class ConvWorkspace
{
    private readonly BufferPool _pool;

    private ConvWorkspace(BufferPool pool, float[]? columns, float[]? staging)
    {
        _pool = pool;
        Columns = columns;
        Staging = staging;
    }

    /// <summary>Column matrix; null for a pointwise convolution with single-image tiles (it reads its input in place).</summary>
    public float[]? Columns { get; }

    /// <summary>GEMM result or gathered gradient of a tile of several images; null when tiles are bands of one image.</summary>
    public float[]? Staging { get; }

    /// <summary>Buffers for the tiles of <paramref name="tiling"/>.</summary>
    public static ConvWorkspace Rent(BufferPool pool, in ConvGeometry g, ConvTiling tiling)
    {
        int width = tiling.MaxWidth(g);
        float[]? columns = g.IsPointwise && tiling.Images == 1 ? null : pool.Rent(g.Rows * width, zero: false);
        float[]? staging = tiling.Images == 1 ? null : pool.Rent(g.O * width, zero: false);
        return new ConvWorkspace(pool, columns, staging);
    }

    /// <summary>Gives the buffers back to the pool.</summary>
    public void Return()
    {
        if (Columns is not null) _pool.Return(Columns);
        if (Staging is not null) _pool.Return(Staging);
    }
}
