using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Single-precision matrix multiply, <c>C = A B</c> (or <c>C += A B</c>), where A and B are read through arbitrary
/// row and column strides (so transposed operands cost nothing) and C is row-major with leading dimension ldc.
/// Shape: A <c>[m, k]</c>, B <c>[k, n]</c>, C <c>[m, n]</c>. C must not overlap A or B.
/// <para>
/// Large products run the cache-blocked algorithm of Goto and van de Geijn ("Anatomy of high-performance matrix
/// multiplication", 2008) as organised in BLIS: see <see cref="GemmBlocked"/>. Tiny products and matrix-vector
/// products, where packing cannot pay for itself, take direct loops.
/// </para>
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Multiply-adds (m*n*k) at or below which a plain loop beats packing.</summary>
    private const long DirectWork = 256;

    /// <summary>Multiply-adds per matrix below which a batched product runs one matrix per thread instead.</summary>
    private const long BatchParallelWork = 1L << 21;

    /// <summary>See the type summary. Threads: up to <see cref="CpuParallel.MaxThreads"/>.</summary>
    public static void Multiply(
        int m, int n, int k,
        float[] a, int aOffset, int aRowStride, int aColStride,
        float[] b, int bOffset, int bRowStride, int bColStride,
        float[] c, int cOffset, int ldc, bool accumulate) =>
        Multiply(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, ldc, accumulate,
            CpuParallel.MaxThreads);

    /// <summary>As the public overload, on at most <paramref name="maxThreads"/> threads.</summary>
    internal static void Multiply(
        int m, int n, int k,
        float[] a, int aOffset, int aRowStride, int aColStride,
        float[] b, int bOffset, int bRowStride, int bColStride,
        float[] c, int cOffset, int ldc, bool accumulate, int maxThreads)
    {
        if (m <= 0 || n <= 0) return;
        CheckInside("C", c, cOffset, m, n, ldc, 1);
        if (k <= 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) Array.Clear(c, cOffset + i * ldc, n);
            return;
        }
        CheckInside("A", a, aOffset, m, k, aRowStride, aColStride);
        CheckInside("B", b, bOffset, k, n, bRowStride, bColStride);
        fixed (float* pa = a, pb = b, pc = c)
        {
            Multiply(m, n, k, pa + aOffset, aRowStride, aColStride, pb + bOffset, bRowStride, bColStride,
                pc + cOffset, ldc, accumulate, maxThreads);
        }
    }

    /// <summary>The kernels below use raw pointers: a bad call must fail here rather than corrupt memory.</summary>
    private static void CheckInside(string name, float[] data, int offset, int rows, int cols, int rowStride, int colStride)
    {
        long first = offset + Math.Min(0L, (rows - 1L) * rowStride) + Math.Min(0L, (cols - 1L) * colStride);
        long last = offset + Math.Max(0L, (rows - 1L) * rowStride) + Math.Max(0L, (cols - 1L) * colStride);
        if (first < 0 || last >= data.Length)
            throw new ArgumentOutOfRangeException(name,
                $"Gemm.Multiply: {name} [{rows}, {cols}] at offset {offset} with strides ({rowStride}, {colStride}) reaches " +
                $"elements {first}..{last}, outside its array of {data.Length}.");
    }

    private static void Multiply(
        int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc,
        bool accumulate, int maxThreads)
    {
        long work = (long)m * n * k;
        if (work <= DirectWork) Direct(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, accumulate);
        else if (n == 1) MatrixVector(m, k, a, ars, acs, b, brs, c, ldc, accumulate, maxThreads);
        else if (m == 1) VectorMatrix(n, k, a, acs, b, brs, bcs, c, accumulate);
        else GemmBlocked.Run(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, accumulate, maxThreads);
    }

    /// <summary>The textbook triple loop, for products too small to amortise anything else.</summary>
    private static void Direct(
        int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            float* ai = a + i * ars;
            float* ci = c + i * ldc;
            for (int j = 0; j < n; j++)
            {
                float* bj = b + j * bcs;
                float sum = 0f;
                for (int p = 0; p < k; p++) sum += ai[p * acs] * bj[p * brs];
                ci[j] = accumulate ? ci[j] + sum : sum;
            }
        }
    }

    /// <summary><c>C[:, 0] (+)= A b</c>: one dot product per row; rows are shared among threads when long enough.</summary>
    private static void MatrixVector(
        int m, int k, float* a, nint ars, nint acs, float* b, nint brs, float* c, nint ldc, bool accumulate, int maxThreads)
    {
        if (maxThreads <= 1 || (long)m * k < 1 << 18)
        {
            MatrixVectorRows(0, m, k, a, ars, acs, b, brs, c, ldc, accumulate);
            return;
        }
        MatrixVectorParallel(m, k, (nint)a, ars, acs, (nint)b, brs, (nint)c, ldc, accumulate, maxThreads);
    }

    /// <summary>Rows in chunks of 64, claimed by the threads of the <see cref="ThreadTeam"/>.</summary>
    private static void MatrixVectorParallel(
        int m, int k, nint pa, nint ars, nint acs, nint pb, nint brs, nint pc, nint ldc, bool accumulate, int maxThreads)
    {
        const int rowsPerItem = 64;
        int items = (m + rowsPerItem - 1) / rowsPerItem, next = 0;
        ThreadTeam.Run(Math.Min(maxThreads, items), () =>
        {
            for (int item; (item = Interlocked.Increment(ref next) - 1) < items;)
            {
                int i0 = item * rowsPerItem;
                MatrixVectorRows(i0, Math.Min(m, i0 + rowsPerItem), k, (float*)pa, ars, acs, (float*)pb, brs, (float*)pc, ldc, accumulate);
            }
        });
    }

    private static void MatrixVectorRows(
        int i0, int i1, int k, float* a, nint ars, nint acs, float* b, nint brs, float* c, nint ldc, bool accumulate)
    {
        for (int i = i0; i < i1; i++)
        {
            float* ai = a + i * ars;
            float sum;
            if (acs == 1 && brs == 1) sum = TensorPrimitives.Dot(new ReadOnlySpan<float>(ai, k), new ReadOnlySpan<float>(b, k));
            else
            {
                sum = 0f;
                for (int p = 0; p < k; p++) sum += ai[p * acs] * b[p * brs];
            }
            float* ci = c + i * ldc;
            *ci = accumulate ? *ci + sum : sum;
        }
    }

    /// <summary>
    /// <c>C[0, :] (+)= a B</c>. With unit-stride rows of B this is a sequence of row updates over a slice of C that
    /// stays in L1; with unit-stride columns it is one dot product per column.
    /// </summary>
    private static void VectorMatrix(int n, int k, float* a, nint acs, float* b, nint brs, nint bcs, float* c, bool accumulate)
    {
        if (bcs == 1)
        {
            const int slice = 1024;
            for (int j0 = 0; j0 < n; j0 += slice)
            {
                int len = Math.Min(slice, n - j0);
                var cs = new Span<float>(c + j0, len);
                if (!accumulate) cs.Clear();
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + p * brs + j0, len), a[p * acs], cs, cs);
            }
            return;
        }
        for (int j = 0; j < n; j++)
        {
            float* bj = b + j * bcs;
            float sum;
            if (acs == 1 && brs == 1) sum = TensorPrimitives.Dot(new ReadOnlySpan<float>(a, k), new ReadOnlySpan<float>(bj, k));
            else
            {
                sum = 0f;
                for (int p = 0; p < k; p++) sum += a[p * acs] * bj[p * brs];
            }
            c[j] = accumulate ? c[j] + sum : sum;
        }
    }

    /// <summary>Batched product over the leading dimensions of already expanded tensors (see <see cref="IBackend.MatMul"/>).</summary>
    public static void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int rank = c.Rank;
        int m = c.Shape[-2], n = c.Shape[-1], k = a.Shape[-1];
        var aStrides = a.StridesArray;
        var bStrides = b.StridesArray;
        int aRs = aStrides[rank - 2], aCs = aStrides[rank - 1], bRs = bStrides[rank - 2], bCs = bStrides[rank - 1];
        float[] ad = StridedView.DataOf(a), bd = StridedView.DataOf(b), cd = StridedView.DataOf(c);
        int threads = CpuParallel.MaxThreads;
        int batch = 1;
        for (int d = 0; d < rank - 2; d++) batch *= c.Shape[d];

        if (batch == 1 || FoldsIntoRows(a, b, m))
        {
            // One matrix, or a shared B with A's batches stacked at an even row pitch: a single (batch*m) x n product.
            Multiply(batch * m, n, k, ad, a.Offset, aRs, aCs, bd, b.Offset, bRs, bCs, cd, c.Offset, n, accumulate, threads);
            return;
        }

        var batchSizes = c.Shape.Dims[..^2].ToArray();
        var batched = new BatchedOperands(ad, a.Offset, aStrides, bd, b.Offset, bStrides, cd, c.Offset, batchSizes, m, n, k, accumulate);
        long work = (long)m * n * k;
        // Small matrices: each thread claims whole matrices and multiplies them on its own.
        if (threads > 1 && work < BatchParallelWork && batch * work >= 1L << 16) batched.RunClaimed(batch, threads);
        else batched.Run(0, batch, threads);
    }

    /// <summary>The operands of a batched product and how batch index maps to each matrix's offset.</summary>
    private sealed record BatchedOperands(
        float[] A, int AOffset, int[] AStrides, float[] B, int BOffset, int[] BStrides, float[] C, int COffset,
        int[] BatchSizes, int M, int N, int K, bool Accumulate)
    {
        private int _next;

        /// <summary>All <paramref name="batch"/> matrices, one serial multiply each, claimed by up to <paramref name="threads"/> threads.</summary>
        public void RunClaimed(int batch, int threads)
        {
            _next = 0;
            ThreadTeam.Run(Math.Min(threads, batch), () =>
            {
                for (int bi; (bi = Interlocked.Increment(ref _next) - 1) < batch;) Run(bi, bi + 1, 1);
            });
        }

        /// <summary>Multiplies matrices <paramref name="b0"/> to <paramref name="b1"/> (exclusive) one after another.</summary>
        public void Run(int b0, int b1, int threadsPerMatrix)
        {
            int rank = AStrides.Length;
            for (int bi = b0; bi < b1; bi++)
            {
                int ao = AOffset, bo = BOffset, rem = bi;
                for (int d = rank - 3; d >= 0; d--)
                {
                    int idx = rem % BatchSizes[d];
                    rem /= BatchSizes[d];
                    ao += idx * AStrides[d];
                    bo += idx * BStrides[d];
                }
                Multiply(M, N, K, A, ao, AStrides[rank - 2], AStrides[rank - 1], B, bo, BStrides[rank - 2], BStrides[rank - 1],
                    C, COffset + bi * M * N, N, Accumulate, threadsPerMatrix);
            }
        }
    }

    /// <summary>
    /// True when B is the same matrix for every batch (all batch strides 0) and A's batches follow one another at a pitch
    /// of m rows, so the batch can be folded into the row dimension of one large product.
    /// </summary>
    private static bool FoldsIntoRows(Tensor a, Tensor b, int m)
    {
        int rank = a.Rank;
        var aStrides = a.StridesArray;
        var bStrides = b.StridesArray;
        long pitch = (long)m * aStrides[rank - 2];
        for (int d = rank - 3; d >= 0; d--)
        {
            int size = a.Shape[d];
            if (size == 1) continue;
            if (bStrides[d] != 0 || aStrides[d] != pitch) return false;
            pitch *= size;
        }
        return true;
    }
}
