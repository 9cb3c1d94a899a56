using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class MatMulTests(Device device)
{
    private const float Atol = 1e-4f;
    private const float Rtol = 1e-4f;

    private Tensor Random(int seed, params int[] shape) =>
        Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), shape, device);

    /// <summary>Element of a tensor by multi-index, through its strides (no SIMD, no copies).</summary>
    private static float At(float[] data, Tensor t, int[] index)
    {
        int offset = t.Offset;
        var strides = t.Strides.ToArray();
        for (int d = 0; d < index.Length; d++) offset += index[d] * strides[d];
        return data[offset];
    }

    /// <summary>
    /// NumPy matmul by definition: promote 1-D operands, broadcast batch dimensions, triple loop with double sums.
    /// </summary>
    private static (float[] Values, Shape Shape) Reference(Tensor x, Tensor y)
    {
        float[] xd = x.Contiguous().ToArray(), yd = y.Contiguous().ToArray();
        int[] xs = x.Rank == 1 ? [1, x.Shape[0]] : x.Shape.ToArray();
        int[] ys = y.Rank == 1 ? [y.Shape[0], 1] : y.Shape.ToArray();
        int m = xs[^2], k = xs[^1], n = ys[^1];
        int batchRank = Math.Max(xs.Length, ys.Length) - 2;
        var batch = new int[batchRank];
        for (int d = 0; d < batchRank; d++)
        {
            int xi = d - (batchRank - (xs.Length - 2)), yi = d - (batchRank - (ys.Length - 2));
            int xb = xi >= 0 ? xs[xi] : 1, yb = yi >= 0 ? ys[yi] : 1;
            batch[d] = Math.Max(xb, yb);
        }
        int batchCount = batch.Aggregate(1, (p, s) => p * s);
        var result = new float[batchCount * m * n];
        for (int bi = 0; bi < batchCount; bi++)
        {
            var idx = new int[batchRank];
            for (int d = batchRank - 1, rem = bi; d >= 0; d--) { idx[d] = rem % batch[d]; rem /= batch[d]; }
            int xBase = BatchOffset(idx, xs, m * k);
            int yBase = BatchOffset(idx, ys, k * n);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++) sum += (double)xd[xBase + i * k + p] * yd[yBase + p * n + j];
                    result[(bi * m + i) * n + j] = (float)sum;
                }
        }
        var outShape = new List<int>(batch);
        if (x.Rank > 1) outShape.Add(m);
        if (y.Rank > 1) outShape.Add(n);
        return (result, new Shape(outShape.ToArray()));
    }

    /// <summary>Offset of a broadcast batch index in a contiguous operand with dimensions <paramref name="dims"/>.</summary>
    private static int BatchOffset(int[] batchIndex, int[] dims, int matrixSize)
    {
        int own = dims.Length - 2, offset = 0, pitch = matrixSize;
        for (int d = own - 1; d >= 0; d--)
        {
            int bi = batchIndex[d + batchIndex.Length - own];
            if (dims[d] != 1) offset += bi * pitch;
            pitch *= dims[d];
        }
        return offset;
    }

    private static void AssertMatches(Tensor x, Tensor y)
    {
        var (expected, shape) = Reference(x, y);
        TensorAssert.Close(expected, x.MatMul(y), Atol, Rtol, shape);
    }

    [TestCase(1, 1, 1)]
    [TestCase(3, 5, 7)]
    [TestCase(8, 8, 8)]
    [TestCase(7, 13, 5)]
    [TestCase(65, 33, 17)]
    [TestCase(1, 300, 1)]
    [TestCase(300, 1, 7)]
    [TestCase(2, 3, 400)]
    [TestCase(6, 16, 32)]
    [TestCase(12, 32, 513)]
    [TestCase(17, 35, 64)]
    [TestCase(100, 9, 27)]
    public void MatchesTripleLoop(int m, int k, int n)
    {
        AssertMatches(Random(1, m, k), Random(2, k, n));
    }

    [Test]
    public void LargeProductSplitAcrossThreads()
    {
        AssertMatches(Random(3, 300, 257), Random(4, 257, 129));
    }

    [Test]
    public void FewRowsManyColumnsSplitsColumnsAcrossThreads()
    {
        AssertMatches(Random(5, 8, 600), Random(6, 600, 700));
    }

    [Test]
    public void InnerDimensionZeroGivesZeros()
    {
        var c = Random(1, 3, 0).MatMul(Random(2, 0, 4));
        Assert.That(c.Shape, Is.EqualTo(new Shape(3, 4)));
        Assert.That(c.ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void EmptyOuterDimensionsGiveEmptyResults()
    {
        Assert.That(Random(1, 0, 5).MatMul(Random(2, 5, 3)).Shape, Is.EqualTo(new Shape(0, 3)));
        Assert.That(Random(1, 4, 5).MatMul(Random(2, 5, 0)).Shape, Is.EqualTo(new Shape(4, 0)));
        Assert.That(Random(1, 0, 4, 5).MatMul(Random(2, 5, 3)).Shape, Is.EqualTo(new Shape(0, 4, 3)));
    }

    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void TransposedOperandsAreReadInPlace(bool transposeA, bool transposeB)
    {
        foreach (var (m, k, n) in new[] { (7, 13, 5), (70, 130, 50), (200, 300, 150) })
        {
            var a = transposeA ? Random(1, k, m).T : Random(1, m, k);
            var b = transposeB ? Random(2, n, k).T : Random(2, k, n);
            Assert.That(a.IsContiguous, Is.EqualTo(!transposeA));
            AssertMatches(a, b);
        }
    }

    [Test]
    public void SlicedNonContiguousOperands()
    {
        var a = Random(1, 40, 90).Slice(0, 3, 38, 1).Slice(1, 1, null, 2);
        var b = Random(2, 50, 60).Slice(0, 0, 45, 1).Narrow(1, 7, 33);
        Assert.That(a.IsContiguous, Is.False);
        Assert.That(b.IsContiguous, Is.False);
        AssertMatches(a, b);
        AssertMatches(Random(3, 30, 80).Slice(1, 0, null, 2).T.Narrow(0, 1, 30), Random(4, 30, 20).Slice(1, 0, null, 3).T.T);
    }

    [Test]
    public void ExpandedOperandWithZeroStrides()
    {
        var a = Random(1, 1, 40).Expand(30, 40);
        AssertMatches(a, Random(2, 40, 20));
        AssertMatches(Random(3, 20, 30), Random(4, 30, 1).Expand(30, 25));
    }

    [Test]
    public void BatchedWithBroadcastingInEachDirection()
    {
        AssertMatches(Random(1, 2, 1, 3, 4), Random(2, 5, 4, 2));
        AssertMatches(Random(3, 5, 3, 4), Random(4, 2, 1, 4, 2));
        AssertMatches(Random(5, 4, 7, 9), Random(6, 9, 3));
        AssertMatches(Random(7, 7, 9), Random(8, 4, 9, 3));
        AssertMatches(Random(9, 3, 20, 30), Random(10, 3, 30, 25));
    }

    [Test]
    public void ManySmallMatricesRunInParallelOverBatches()
    {
        AssertMatches(Random(1, 64, 8, 12), Random(2, 64, 12, 10));
        AssertMatches(Random(3, 300, 4, 4), Random(4, 300, 4, 4));
    }

    [Test]
    public void SharedRightOperandFoldsBatchIntoRows()
    {
        AssertMatches(Random(1, 6, 50, 70), Random(2, 70, 40));
        var strided = Random(3, 6, 50, 140).Slice(2, 0, null, 2);
        AssertMatches(strided, Random(4, 70, 40));
        AssertMatches(Random(5, 6, 1, 70), Random(6, 70, 40));
    }

    [Test]
    public void OneDimensionalOperands()
    {
        AssertMatches(Random(1, 9), Random(2, 9, 5));
        AssertMatches(Random(3, 5, 9), Random(4, 9));
        AssertMatches(Random(5, 9), Random(6, 9));
        AssertMatches(Random(7, 500), Random(8, 500, 300));
        AssertMatches(Random(9, 300, 500), Random(10, 500));
        AssertMatches(Random(11, 500), Random(12, 300, 500).T);
        AssertMatches(Random(13, 500, 300).T, Random(14, 500));
        AssertMatches(Random(15, 3), Random(16, 2, 3, 4));
        AssertMatches(Random(17, 2, 4, 3), Random(18, 3));
    }

    [Test]
    public void OneDimensionalResultShapes()
    {
        Assert.That(Random(1, 4).MatMul(Random(2, 4)).Shape, Is.EqualTo(new Shape()));
        Assert.That(Random(1, 4).MatMul(Random(2, 4, 3)).Shape, Is.EqualTo(new Shape(3)));
        Assert.That(Random(1, 2, 4).MatMul(Random(2, 4)).Shape, Is.EqualTo(new Shape(2)));
    }

    [TestCase(5, 7, 3)]
    [TestCase(70, 90, 50)]
    [TestCase(1, 40, 30)]
    [TestCase(30, 40, 1)]
    public void AccumulateAddsToTheOutput(int m, int k, int n)
    {
        var a = Random(1, m, k);
        var b = Random(2, k, n);
        var c = Random(3, m, n);
        var (product, _) = Reference(a, b);
        var before = c.ToArray();
        var expected = product.Select((v, i) => v + before[i]).ToArray();
        device.Backend.MatMul(a, b, c, accumulate: true);
        TensorAssert.Close(expected, c, Atol, Rtol);
    }

    [Test]
    public void BadShapesNameTheOpAndBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Random(1, 2, 3).MatMul(Random(2, 4, 5)))!;
        Assert.That(e.Message, Does.Contain("MatMul").And.Contain("[2, 3]").And.Contain("[4, 5]"));
        var b = Assert.Throws<ArgumentException>(() => Random(1, 2, 2, 3).MatMul(Random(2, 3, 3, 5)))!;
        Assert.That(b.Message, Does.Contain("MatMul"));
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f, device).MatMul(Random(2, 3)));
    }
}
