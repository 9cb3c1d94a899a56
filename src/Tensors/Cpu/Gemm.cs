namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Single-precision matrix multiply, <c>C = A B</c> (or <c>C += A B</c>), where A and B are read through arbitrary
/// row and column strides (so transposed operands cost nothing) and C is row-major with leading dimension ldc.
/// Shape: A <c>[m, k]</c>, B <c>[k, n]</c>, C <c>[m, n]</c>.
/// </summary>
internal static class Gemm
{
    public static void Multiply(
        int m, int n, int k,
        float[] a, int aOffset, int aRowStride, int aColStride,
        float[] b, int bOffset, int bRowStride, int bColStride,
        float[] c, int cOffset, int ldc, bool accumulate)
    {
        CpuParallel.For(m, (long)n * k, (i0, i1) =>
        {
            var row = new double[n];
            for (int i = i0; i < i1; i++)
            {
                Array.Clear(row);
                for (int p = 0; p < k; p++)
                {
                    double av = a[aOffset + i * aRowStride + p * aColStride];
                    int bo = bOffset + p * bRowStride;
                    for (int j = 0; j < n; j++) row[j] += av * b[bo + j * bColStride];
                }
                int co = cOffset + i * ldc;
                for (int j = 0; j < n; j++) c[co + j] = accumulate ? c[co + j] + (float)row[j] : (float)row[j];
            }
        });
    }

    /// <summary>Batched product over the leading dimensions of already expanded tensors (see <see cref="IBackend.MatMul"/>).</summary>
    public static void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int rank = c.Rank;
        int m = c.Shape[-2], n = c.Shape[-1], k = a.Shape[-1];
        int batch = 1;
        for (int d = 0; d < rank - 2; d++) batch *= c.Shape[d];
        var batchSizes = c.Shape.Dims[..^2].ToArray();
        var aStrides = a.StridesArray; var bStrides = b.StridesArray;
        float[] ad = StridedView.DataOf(a), bd = StridedView.DataOf(b), cd = StridedView.DataOf(c);
        for (int bi = 0; bi < batch; bi++)
        {
            int ao = a.Offset, bo = b.Offset, rem = bi;
            for (int d = rank - 3; d >= 0; d--)
            {
                int idx = rem % batchSizes[d];
                rem /= batchSizes[d];
                ao += idx * aStrides[d];
                bo += idx * bStrides[d];
            }
            Multiply(m, n, k, ad, ao, aStrides[rank - 2], aStrides[rank - 1], bd, bo, bStrides[rank - 2], bStrides[rank - 1],
                cd, c.Offset + bi * m * n, n, accumulate);
        }
    }
}
