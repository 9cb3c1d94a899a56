using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>Per-channel mean and population variance over every axis but 1, against a double-precision reference.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class BatchNormStatisticsTests(Device device)
{
    [TestCase(new[] { 5, 3 })]
    [TestCase(new[] { 1, 4 })]
    [TestCase(new[] { 4, 3, 5, 6 })]
    [TestCase(new[] { 2, 5, 7 })]
    [TestCase(new[] { 3, 1, 33, 17 })]
    [TestCase(new[] { 1, 2, 1, 1 })]
    public void MatchesDoubleReference(int[] dims)
    {
        var shape = new Shape(dims);
        var data = TensorAssert.RandomData(shape.Numel, 3);
        var (mean, variance) = Tensor.FromArray(data, shape, device).BatchNormStatistics();
        var (em, ev) = Reference(data, dims);
        TensorAssert.Close(em, mean, 1e-6f, 1e-5f, new Shape(dims[1]));
        TensorAssert.Close(ev, variance, 1e-6f, 1e-5f, new Shape(dims[1]));
    }

    [Test]
    public void LargeOffsetDoesNotSwampTheVariance()
    {
        // E[x^2] - E[x]^2 in float would lose every digit here; the two-pass double sums keep them.
        int[] dims = { 8, 2, 16, 16 };
        var data = TensorAssert.RandomData(8 * 2 * 16 * 16, 4).Select(v => 10000f + v).ToArray();
        var (mean, variance) = Tensor.FromArray(data, dims, device).BatchNormStatistics();
        var (em, ev) = Reference(data, dims);
        TensorAssert.Close(em, mean, 0f, 1e-6f);
        TensorAssert.Close(ev, variance, 0f, 1e-3f);
    }

    [Test]
    public void ReadsNonContiguousInput()
    {
        // [C, N, L] transposed to [N, C, L]: the front end hands the kernel a contiguous copy.
        var t = Tensor.FromArray(TensorAssert.RandomData(3 * 4 * 5, 6), new Shape(3, 4, 5), device).Transpose(0, 1);
        var (mean, variance) = t.BatchNormStatistics();
        var (em, ev) = Reference(t.ToArray(), new[] { 4, 3, 5 });
        TensorAssert.Close(em, mean, 1e-6f, 1e-5f);
        TensorAssert.Close(ev, variance, 1e-6f, 1e-5f);
    }

    [Test]
    public void ErrorsNameTheOpAndShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[] { 1, 2, 3 }, new Shape(3), device).BatchNormStatistics())!;
        Assert.That(e.Message, Does.Contain("BatchNormStatistics").And.Contain("[3]"));
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(0, 3), device).BatchNormStatistics())!;
        Assert.That(e.Message, Does.Contain("BatchNormStatistics").And.Contain("[0, 3]"));
    }

    private static (float[] Mean, float[] Variance) Reference(float[] x, int[] dims)
    {
        int n = dims[0], c = dims[1], rest = 1;
        for (int d = 2; d < dims.Length; d++) rest *= dims[d];
        var mean = new float[c];
        var variance = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < rest; j++) s += x[(i * c + ch) * rest + j];
            double m = s / (n * rest);
            double q = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < rest; j++) q += (x[(i * c + ch) * rest + j] - m) * (x[(i * c + ch) * rest + j] - m);
            mean[ch] = (float)m;
            variance[ch] = (float)(q / (n * rest));
        }
        return (mean, variance);
    }
}
