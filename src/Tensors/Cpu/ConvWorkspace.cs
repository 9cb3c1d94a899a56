namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The scratch buffers one convolution worker needs for a group of images: the column matrix
/// <c>[C*kh*kw, images*OH*OW]</c> and, for more than one image, a staging matrix <c>[O, images*OH*OW]</c> that holds
/// the GEMM result before it is scattered into <c>[N, O, OH, OW]</c> (or dY gathered from it). Rented from and given
/// back to the backend's <see cref="BufferPool"/>, so a training step that repeats its shapes allocates nothing here.
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

    /// <summary>Column matrix; null for a pointwise convolution of one image at a time (it reads its input in place).</summary>
    public float[]? Columns { get; }

    /// <summary>GEMM result or gathered gradient for a group of images; null when groups are single images.</summary>
    public float[]? Staging { get; }

    /// <summary>Buffers for groups of up to <paramref name="images"/> images.</summary>
    public static ConvWorkspace Rent(BufferPool pool, in ConvGeometry g, int images)
    {
        float[]? columns = g.IsPointwise && images == 1 ? null : pool.Rent(g.Rows * images * g.Pixels, zero: false);
        float[]? staging = images == 1 ? null : pool.Rent(g.O * images * g.Pixels, zero: false);
        return new ConvWorkspace(pool, columns, staging);
    }

    /// <summary>Gives the buffers back to the pool.</summary>
    public void Return()
    {
        if (Columns is not null) _pool.Return(Columns);
        if (Staging is not null) _pool.Return(Staging);
    }
}
