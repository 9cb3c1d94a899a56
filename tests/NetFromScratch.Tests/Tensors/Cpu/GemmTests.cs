using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Tests.Tensors.Cpu;

/// <summary>The CPU GEMM kernel called directly: arbitrary strides, offsets, leading dimension, both micro-kernels.</summary>
public class GemmTests
{
    private static double[] Reference(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double)a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs];
                c[i * n + j] = sum;
            }
        return c;
    }

    private static void Check(int m, int n, int k, int ao, int ars, int acs, int bo, int brs, int bcs, bool accumulate, int threads)
    {
        int aLen = ao + Math.Max(0, (m - 1) * ars) + Math.Max(0, (k - 1) * acs) + 1;
        int bLen = bo + Math.Max(0, (k - 1) * brs) + Math.Max(0, (n - 1) * bcs) + 1;
        var a = TensorAssert.RandomData(aLen, 11);
        var b = TensorAssert.RandomData(bLen, 12);
        int ldc = n + 3, co = 5;
        var c = TensorAssert.RandomData(co + m * ldc, 13);
        var original = (float[])c.Clone();
        Gemm.Multiply(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate, threads);
        var product = Reference(m, n, k, a, ao, ars, acs, b, bo, brs, bcs);
        for (int i = 0; i < c.Length; i++)
        {
            int row = (i - co) / ldc, col = (i - co) % ldc;
            bool inside = i >= co && row < m && col < n;
            double expected = inside ? product[row * n + col] + (accumulate ? original[i] : 0) : original[i];
            Assert.That(c[i], Is.EqualTo(expected).Within(1e-4 + 1e-4 * Math.Abs(expected)), $"element {i} (row {row}, col {col})");
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ArbitraryStridesOffsetsAndLeadingDimension(bool portable)
    {
        bool saved = GemmMicroKernel.UseFma;
        GemmMicroKernel.UseFma = saved && !portable;
        try
        {
            foreach (bool accumulate in new[] { false, true })
                foreach (int threads in new[] { 1, 2 })
                {
                    Check(37, 41, 29, 3, 30, 1, 2, 50, 1, accumulate, threads);      // row-major, padded rows
                    Check(3, 5, 7, 1, 9, 1, 2, 1, 11, accumulate, threads);          // tiny: the direct loop
                    Check(37, 41, 29, 4, 1, 40, 1, 1, 31, accumulate, threads);      // both column-major
                    Check(37, 41, 29, 0, 61, 2, 7, 3, 97, accumulate, threads);      // neither stride is 1
                    Check(130, 150, 300, 1, 300, 1, 0, 1, 300, accumulate, threads); // large: blocked, k split in two
                    Check(13, 500, 40, 0, 40, 1, 0, 500, 1, accumulate, threads);    // few rows: columns shared out
                    Check(25, 18, 9, 0, 0, 1, 0, 18, 1, accumulate, threads);        // every row of A the same
                    Check(1, 70, 90, 0, 90, 1, 0, 1, 90, accumulate, threads);       // vector-matrix, B columns contiguous
                    Check(70, 1, 90, 0, 1, 70, 0, 1, 1, accumulate, threads);        // matrix-vector, A column-major
                }
        }
        finally
        {
            GemmMicroKernel.UseFma = saved;
        }
    }

    [Test]
    public void DeepProductsAcrossSeveralKBlocks()
    {
        Check(20, 40, 1100, 0, 1100, 1, 0, 40, 1, false, 2);
    }

    [Test]
    public void DepthBeyondThePackedBlockRunsInChunks()
    {
        int saved = GemmBlocked.MaxPackedB;
        GemmBlocked.MaxPackedB = 256 * 300;
        try
        {
            // A 76,800-float budget for the packed block makes k = 1000 run as several accumulating depth chunks.
            Check(40, 300, 1000, 0, 1000, 1, 0, 300, 1, false, 2);
            Check(40, 300, 1000, 0, 1, 40, 0, 1, 1000, true, 1);
        }
        finally
        {
            GemmBlocked.MaxPackedB = saved;
        }
    }

    [Test]
    public void ConcurrentCallersShareTheThreadsSafely()
    {
        const int m = 150, n = 170, k = 160;
        var a = TensorAssert.RandomData(m * k, 21);
        var b = TensorAssert.RandomData(k * n, 22);
        var expected = Reference(m, n, k, a, 0, k, 1, b, 0, n, 1);
        var results = new float[6][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i =>
        {
            var c = new float[m * n];
            for (int repeat = 0; repeat < 5; repeat++) Gemm.Multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false, 2);
            results[i] = c;
        });
        foreach (var c in results)
            for (int i = 0; i < c.Length; i++)
                Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-4 + 1e-4 * Math.Abs(expected[i])));
    }

    [Test]
    public void OperandsReachingOutsideTheirArraysAreRejected()
    {
        var a = new float[12];
        var b = new float[12];
        var c = new float[9];
        Gemm.Multiply(3, 3, 4, a, 0, 4, 1, b, 0, 3, 1, c, 0, 3, false);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(3, 3, 4, a, 1, 4, 1, b, 0, 3, 1, c, 0, 3, false))!;
        Assert.That(e.Message, Does.Contain("Gemm.Multiply").And.Contain("A [3, 4]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(3, 3, 4, a, 0, 4, 1, b, 0, 1, 5, c, 0, 3, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(3, 3, 4, a, 0, 4, 1, b, 0, 3, 1, c, 0, 4, false));
    }
}
