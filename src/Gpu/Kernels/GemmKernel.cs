using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>Sizes and strides of one batched product <c>C[z] (+)= A[z] B[z]</c>.</summary>
internal struct GemmGeometry
{
    public int M, N, K, Batch;
    /// <summary>Element steps of A along its rows (M) and columns (K); a transposed view simply swaps them.</summary>
    public int ARowStride, AColStride;
    /// <summary>Element steps of B along its rows (K) and columns (N).</summary>
    public int BRowStride, BColStride;
    /// <summary>Where C starts; C is row-major, each batch entry <c>M * N</c> after the previous one.</summary>
    public int COffset;
    /// <summary>Leading dimension of C (distance between rows) and batch step of C.</summary>
    public int Ldc, CBatchStride;
    /// <summary>1 adds the product to C, 0 overwrites C.</summary>
    public int Accumulate;
}

/// <summary>
/// The block-tile shape of the matrix-multiply kernel, fixed at compile time through a struct type argument so
/// that shared arrays have constant sizes and index arithmetic on tile coordinates becomes shifts.
/// Each thread computes a 4x4 block of C (register blocking), so a tile is <c>4*ThreadsY</c> by <c>4*ThreadsX</c>.
/// </summary>
internal interface IGemmTile
{
    /// <summary>Threads along N.</summary>
    int ThreadsX { get; }
    /// <summary>Threads along M.</summary>
    int ThreadsY { get; }
    /// <summary>Depth of a K slice held in shared memory.</summary>
    int Depth { get; }
    /// <summary><c>4*ThreadsY * Depth</c>: the A slice.</summary>
    int ASize { get; }
    /// <summary><c>Depth * 4*ThreadsX</c>: the B slice.</summary>
    int BSize { get; }
}

/// <summary>The GPU tile: 64x64 outputs per group of 256 threads, K slices of 16.</summary>
internal readonly struct GemmTile64 : IGemmTile
{
    public int ThreadsX => 16;
    public int ThreadsY => 16;
    public int Depth => 16;
    public int ASize => 64 * 16;
    public int BSize => 16 * 64;
}

/// <summary>An 8x8 tile for 4 threads: the same kernel at a size ILGPU's CPU simulator runs quickly.</summary>
internal readonly struct GemmTile8 : IGemmTile
{
    public int ThreadsX => 2;
    public int ThreadsY => 2;
    public int Depth => 8;
    public int ASize => 8 * 8;
    public int BSize => 8 * 8;
}

/// <summary>
/// SGEMM with shared-memory tiles and register blocking. A group owns a <c>BM x BN</c> block of C; per K slice it
/// stages <c>BM x Depth</c> of A and <c>Depth x BN</c> of B in shared memory (zero-padded at the edges), then every
/// thread accumulates its 4x4 outputs from 4 + 4 shared loads per step: 16 FMAs per 8 loads instead of the
/// textbook kernel's 1 per 2. Thread (tx, ty) owns rows <c>ty + i*ThreadsY</c> and columns <c>tx + j*ThreadsX</c>,
/// so a warp's shared reads are broadcasts or consecutive words (no bank conflicts) and its stores to C coalesce.
/// Operands are read through their strides, so transposed views cost nothing; the load order follows whichever
/// stride is 1 so that global reads coalesce either way. The batch is the grid's z dimension; batch entries of A
/// and B are found through their layouts (stride 0 for a broadcast operand).
/// </summary>
internal static class GemmKernel
{
    public static void Run<TTile>(StridedLayout aBatch, StridedLayout bBatch, GemmGeometry g,
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        where TTile : struct, IGemmTile
    {
        var tile = default(TTile);
        int tx = tile.ThreadsX, ty = tile.ThreadsY, depth = tile.Depth;
        int bm = 4 * ty, bn = 4 * tx;
        var aTile = SharedMemory.Allocate<float>(tile.ASize);   // [depth][bm]
        var bTile = SharedMemory.Allocate<float>(tile.BSize);   // [depth][bn]

        int thread = Group.IdxX;
        int col = thread % tx, row = thread / tx;
        int threads = tx * ty;
        int m0 = Grid.IdxY * bm, n0 = Grid.IdxX * bn;
        bool aAlongK = g.AColStride == 1;
        bool bAlongN = g.BColStride == 1 || g.BRowStride != 1;

        for (int z = Grid.IdxZ; z < g.Batch; z += Grid.DimZ)
        {
            int aStart = aBatch.ElementOffset(z), bStart = bBatch.ElementOffset(z);
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
            float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
            float c30 = 0, c31 = 0, c32 = 0, c33 = 0;

            for (int k0 = 0; k0 < g.K; k0 += depth)
            {
                for (int l = thread; l < bm * depth; l += threads)
                {
                    int r, p;
                    if (aAlongK) { p = l % depth; r = l / depth; }
                    else { r = l % bm; p = l / bm; }
                    int gr = m0 + r, gp = k0 + p;
                    aTile[p * bm + r] = gr < g.M && gp < g.K ? a[aStart + gr * g.ARowStride + gp * g.AColStride] : 0f;
                }
                for (int l = thread; l < depth * bn; l += threads)
                {
                    int p, q;
                    if (bAlongN) { q = l % bn; p = l / bn; }
                    else { p = l % depth; q = l / depth; }
                    int gp = k0 + p, gq = n0 + q;
                    bTile[p * bn + q] = gp < g.K && gq < g.N ? b[bStart + gp * g.BRowStride + gq * g.BColStride] : 0f;
                }
                Group.Barrier();

                for (int p = 0; p < depth; p++)
                {
                    int ao = p * bm + row, bo = p * bn + col;
                    float a0 = aTile[ao], a1 = aTile[ao + ty], a2 = aTile[ao + 2 * ty], a3 = aTile[ao + 3 * ty];
                    float b0 = bTile[bo], b1 = bTile[bo + tx], b2 = bTile[bo + 2 * tx], b3 = bTile[bo + 3 * tx];
                    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
                }
                Group.Barrier();
            }

            int cBase = g.COffset + z * g.CBatchStride;
            StoreRow(c, g, cBase, m0 + row, n0 + col, tx, c00, c01, c02, c03);
            StoreRow(c, g, cBase, m0 + row + ty, n0 + col, tx, c10, c11, c12, c13);
            StoreRow(c, g, cBase, m0 + row + 2 * ty, n0 + col, tx, c20, c21, c22, c23);
            StoreRow(c, g, cBase, m0 + row + 3 * ty, n0 + col, tx, c30, c31, c32, c33);
        }
    }

    private static void StoreRow(ArrayView<float> c, GemmGeometry g, int cBase, int r, int q, int tx,
        float v0, float v1, float v2, float v3)
    {
        if (r >= g.M) return;
        int o = cBase + r * g.Ldc;
        Store(c, g, o, q, v0);
        Store(c, g, o, q + tx, v1);
        Store(c, g, o, q + 2 * tx, v2);
        Store(c, g, o, q + 3 * tx, v3);
    }

    private static void Store(ArrayView<float> c, GemmGeometry g, int rowStart, int q, float v)
    {
        if (q >= g.N) return;
        int o = rowStart + q;
        c[o] = g.Accumulate != 0 ? c[o] + v : v;
    }
}
