using NetFromScratch.Tensors;
using static NetFromScratch.Tests.Tensors.ElementwiseReference;
using static NetFromScratch.Tests.Tensors.StridedReference;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ReductionTests(Device device)
{
    private static readonly ReduceOp[] Ops = Enum.GetValues<ReduceOp>();

    /// <summary>
    /// The reference: group the elements of <paramref name="values"/> (row-major, shape <paramref name="shape"/>) by
    /// their kept indices and fold each group in double. The result is in keep-dim order.
    /// </summary>
    private static float[] Reference(ReduceOp op, float[] values, int[] shape, int[] axes, float correction = 0f)
    {
        var keep = (int[])shape.Clone();
        foreach (int a in axes) keep[a] = 1;
        var groups = new List<double>[new Shape(keep).Numel];
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        for (int i = 0; i < values.Length; i++)
        {
            var index = Unravel(i, shape);
            foreach (int a in axes) index[a] = 0;
            int flat = 0;
            for (int d = 0; d < keep.Length; d++) flat = flat * keep[d] + index[d];
            groups[flat].Add(values[i]);
        }
        return groups.Select(g => (float)Fold(op, g, correction)).ToArray();
    }

    private static double Fold(ReduceOp op, List<double> g, float correction)
    {
        int n = g.Count;
        switch (op)
        {
            case ReduceOp.Sum: return g.Sum();
            case ReduceOp.Mean: return g.Sum() / n;
            case ReduceOp.Max: return g.Any(double.IsNaN) ? double.NaN : g.Max();
            case ReduceOp.Min: return g.Any(double.IsNaN) ? double.NaN : g.Min();
            case ReduceOp.Variance:
            {
                double mean = g.Sum() / n;
                return n - correction <= 0 ? double.NaN : g.Sum(v => (v - mean) * (v - mean)) / (n - correction);
            }
            default:
            {
                if (n == 0) return double.NegativeInfinity;
                if (g.Any(double.IsNaN)) return double.NaN;
                double m = g.Max();
                if (double.IsInfinity(m)) return m;
                return m + Math.Log(g.Sum(v => Math.Exp(v - m)));
            }
        }
    }

    private static (float Atol, float Rtol) Tolerance(ReduceOp op) => op switch
    {
        ReduceOp.Max or ReduceOp.Min => (0f, 0f),
        ReduceOp.Variance => (1e-6f, 1e-5f),
        _ => (2e-6f, 1e-6f),
    };

    private static IEnumerable<int[]?> AxisSets(int rank)
    {
        yield return null;
        for (int a = 0; a < rank; a++)
        {
            yield return [a];
            yield return [a - rank];
        }
        for (int a = 0; a < rank; a++)
            for (int b = a + 1; b < rank; b++) yield return [b, a];
        if (rank > 0) yield return Enumerable.Range(0, rank).ToArray();
    }

    private static int[] Normalize(int[]? axes, int rank) =>
        axes is null || axes.Length == 0 ? Enumerable.Range(0, rank).ToArray() : axes.Select(a => a < 0 ? a + rank : a).Order().ToArray();

    private static int[] ResultShape(int[] shape, int[] axes, bool keepDim) =>
        keepDim ? shape.Select((s, d) => axes.Contains(d) ? 1 : s).ToArray() : shape.Where((_, d) => !axes.Contains(d)).ToArray();

    [Test]
    public void EveryReductionOverEveryAxisSetAndViewMatchesTheReference()
    {
        int[][] shapes = [[], [1], [7], [2, 3, 4], [5, 1, 7], [3, 33], [4, 1], [2, 3, 2, 5]];
        int seed = 0;
        foreach (var shape in shapes)
            foreach (var c in Views(shape, n => Data(n, ++seed, scale: 3f), device))
                foreach (var axes in AxisSets(shape.Length))
                {
                    var norm = Normalize(axes, shape.Length);
                    foreach (var op in Ops)
                        foreach (bool keepDim in new[] { false, true })
                        {
                            var (atol, rtol) = Tolerance(op);
                            var expected = Reference(op, c.Values, shape, norm, op == ReduceOp.Variance ? 1f : 0f);
                            var y = c.View.Reduce(op, axes, keepDim, op == ReduceOp.Variance ? 1f : 0f);
                            AssertClose($"{op} over [{string.Join(", ", axes ?? [])}] keepDim={keepDim} of {c}",
                                expected, y, atol, rtol, ResultShape(shape, norm, keepDim));
                        }
                }
    }

    [Test]
    public void LargeReductionsSplitAcrossThreadsAndTiles()
    {
        var data = Data(300 * 400, 7);
        var x = Tensor.FromArray(data, new Shape(300, 400), device);
        var xt = Tensor.FromArray(data, new Shape(400, 300), device).T;
        var xtValues = Logical(data, xt);
        var longColumns = Data(40_000 * 3, 8);
        foreach (var op in Ops)
        {
            var (atol, rtol) = Tolerance(op);
            foreach (var axes in new[] { new[] { 0 }, new[] { 1 }, new[] { 0, 1 } })
            {
                AssertClose($"{op} {string.Join(",", axes)} of [300, 400]", Reference(op, data, [300, 400], axes, 1f), x.Reduce(op, axes, false, 1f), atol, rtol);
                AssertClose($"{op} {string.Join(",", axes)} of transposed [300, 400]", Reference(op, xtValues, [300, 400], axes, 1f), xt.Reduce(op, axes, false, 1f), atol, rtol);
            }
            // Very long reduced axes with few outputs, in both layouts.
            AssertClose($"{op} 0 of [40000, 3]", Reference(op, longColumns, [40_000, 3], [0], 1f),
                Tensor.FromArray(longColumns, new Shape(40_000, 3), device).Reduce(op, [0], false, 1f), atol, rtol);
            AssertClose($"{op} 1 of [3, 40000]", Reference(op, longColumns, [3, 40_000], [1], 1f),
                Tensor.FromArray(longColumns, new Shape(3, 40_000), device).Reduce(op, [1], false, 1f), atol, rtol);
        }
    }

    [Test]
    public void SumsAccumulateWithoutLosingSmallTerms()
    {
        // In float, 1e8 + 1 == 1e8: a float accumulator would return 0 here instead of 2000.
        var data = new float[4000];
        for (int i = 0; i < data.Length; i += 4) { data[i] = 1e8f; data[i + 1] = 1f; data[i + 2] = -1e8f; data[i + 3] = 1f; }
        Assert.That(Tensor.FromArray(data, new Shape(4000), device).Sum().Item(), Is.EqualTo(2000f));
        Assert.That(Tensor.FromArray(data, new Shape(4000, 1), device).Sum(0).Item(), Is.EqualTo(2000f), "columns layout");
        Assert.That(Tensor.FromArray(data, new Shape(1000, 4), device).Sum(0).Sum().Item(), Is.EqualTo(2000f));

        var tenths = Enumerable.Repeat(0.1f, 1_000_000).ToArray();
        Assert.That(Tensor.FromArray(tenths, new Shape(1_000_000), device).Sum().Item(), Is.EqualTo((float)(0.1f * 1e6)));
        Assert.That(Tensor.FromArray(tenths, new Shape(1_000_000), device).Mean().Item(), Is.EqualTo(0.1f));
    }

    [Test]
    public void MaxMinAndLogSumExpPropagateNaNAndHandleInfinities()
    {
        float nan = float.NaN, inf = float.PositiveInfinity;
        var rows = Tensor.FromArray([1f, nan, 3f, -inf, -inf, -inf, 2f, inf, 1f, 5f, 4f, -inf], new Shape(4, 3), device);
        Assert.That(rows.Max([1]).ToArray(), Is.EqualTo(new[] { nan, -inf, inf, 5f }));
        Assert.That(rows.Min([1]).ToArray(), Is.EqualTo(new[] { nan, -inf, 1f, -inf }));
        var lse = rows.LogSumExp([1]).ToArray();
        Assert.That(lse[0], Is.NaN);
        Assert.That(lse[1], Is.EqualTo(-inf), "all -inf gives -inf");
        Assert.That(lse[2], Is.EqualTo(inf));
        Assert.That(lse[3], Is.EqualTo((float)(5 + Math.Log(1 + Math.Exp(-1)))).Within(1e-6f), "-inf terms add nothing");
        // The same along axis 0 of the transpose, which walks columns.
        var cols = rows.T.Contiguous();
        Assert.That(cols.Max([0]).ToArray(), Is.EqualTo(new[] { nan, -inf, inf, 5f }));
        Assert.That(cols.LogSumExp([0]).ToArray()[1], Is.EqualTo(-inf));
        Assert.That(cols.LogSumExp([0]).ToArray()[2], Is.EqualTo(inf));
    }

    [Test]
    public void LogSumExpOfLargeInputsStaysFinite()
    {
        var big = Tensor.FromArray([1000f, 1000f, 999f, -1000f], new Shape(2, 2), device);
        var lse = big.LogSumExp([1]).ToArray();
        Assert.That(lse[0], Is.EqualTo(1000f + MathF.Log(2f)).Within(1e-3f));
        Assert.That(lse[1], Is.EqualTo(999f).Within(1e-3f));
        Assert.That(big.LogSumExp().Item(), Is.EqualTo((float)(1000 + Math.Log(2 + Math.Exp(-1)))).Within(1e-3f));
        Assert.That(big.T.Contiguous().LogSumExp([0]).ToArray(), Is.EqualTo(lse).Within(1e-3f));
    }

    [Test]
    public void VarianceCorrectionsAndDegenerateSizes()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], new Shape(4), device);
        Assert.That(x.Variance(correction: 0f).Item(), Is.EqualTo(1.25f).Within(1e-6f));
        Assert.That(x.Variance(correction: 1f).Item(), Is.EqualTo(5f / 3f).Within(1e-6f));
        Assert.That(x.Variance().Item(), Is.EqualTo(5f / 3f).Within(1e-6f), "correction 1 by default");
        var one = Tensor.FromArray([3f], new Shape(1), device);
        Assert.That(one.Variance(correction: 1f).Item(), Is.NaN, "one sample has no sample variance");
        Assert.That(one.Variance(correction: 0f).Item(), Is.Zero);
        // A constant large offset must not leak into the variance (two-pass in double).
        var offset = Tensor.FromArray(Enumerable.Range(0, 1000).Select(i => 1e4f + (i % 2)).ToArray(), new Shape(1000), device);
        Assert.That(offset.Variance(correction: 0f).Item(), Is.EqualTo(0.25f).Within(1e-6f));
        Assert.That(offset.Reshape(1000, 1).Variance([0], false, 0f).Item(), Is.EqualTo(0.25f).Within(1e-6f));
    }

    [Test]
    public void ReductionsOverEmptyAxes()
    {
        var e = Tensor.Zeros(new Shape(0, 3), device);
        Assert.That(e.Sum(0).ToArray(), Is.EqualTo(new float[] { 0, 0, 0 }));
        Assert.That(e.Mean(0).ToArray(), Is.All.NaN);
        Assert.That(e.Variance([0]).ToArray(), Is.All.NaN);
        Assert.That(e.LogSumExp([0]).ToArray(), Is.All.EqualTo(float.NegativeInfinity));
        Assert.That(e.Sum(1).Shape, Is.EqualTo(new Shape(0)));
        Assert.That(e.Sum().Item(), Is.Zero);
        var max = Assert.Throws<ArgumentException>(() => e.Max([0]))!;
        Assert.That(max.Message, Does.Contain("Max").And.Contain("axis 0").And.Contain("[0, 3]"));
        var arg = Assert.Throws<ArgumentException>(() => e.ArgMax(0))!;
        Assert.That(arg.Message, Does.Contain("ArgMax").And.Contain("[0, 3]"));
    }

    [Test]
    public void ArgReductionsPickTheFirstOfEqualValuesAndTheFirstNaN()
    {
        float nan = float.NaN;
        var x = Tensor.FromArray([3f, 1f, 3f, 2f, /**/ 1f, 1f, 0f, 0f, /**/ 2f, nan, 5f, nan, /**/ -0f, 0f, -1f, 0f], new Shape(4, 4), device);
        var (maxV, maxI) = x.MaxWithIndex(1);
        Assert.That(maxI.ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 0 }));
        Assert.That(maxV.ToArray(), Is.EqualTo(new[] { 3f, 1f, nan, -0f }));
        var (minV, minI) = x.MinWithIndex(1);
        Assert.That(minI.ToArray(), Is.EqualTo(new float[] { 1, 2, 1, 2 }));
        Assert.That(minV.ToArray(), Is.EqualTo(new[] { 1f, 0f, nan, -1f }));
        // The same along axis 0 of the transpose: the column layout.
        var xt = x.T.Contiguous();
        Assert.That(xt.ArgMax(0).ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 0 }));
        Assert.That(xt.ArgMin(0).ToArray(), Is.EqualTo(new float[] { 1, 2, 1, 2 }));
        Assert.That(xt.MaxWithIndex(0).Values.ToArray(), Is.EqualTo(new[] { 3f, 1f, nan, -0f }));
        // And on the non-contiguous transpose itself.
        Assert.That(x.T.ArgMax(0).ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 0 }));
        var (kv, ki) = x.MaxWithIndex(-1, keepDim: true);
        Assert.That(kv.Shape, Is.EqualTo(new Shape(4, 1)));
        Assert.That(ki.Shape, Is.EqualTo(new Shape(4, 1)));
    }

    [Test]
    public void ArgReductionsMatchAPlainScanOnEveryViewAndSize()
    {
        int[][] shapes = [[1], [7], [33], [3, 1, 5], [4, 9], [2, 3, 17], [300, 400], [1000, 3]];
        int seed = 50;
        foreach (var shape in shapes)
            foreach (var c in Views(shape, n => Data(n, ++seed).Select(v => MathF.Round(v * 4f)).ToArray(), device))
                for (int axis = 0; axis < shape.Length; axis++)
                    foreach (bool max in new[] { true, false })
                    {
                        var (expectedV, expectedI) = ArgReference(max, c.Values, shape, axis);
                        var (v, i) = max ? c.View.MaxWithIndex(axis) : c.View.MinWithIndex(axis);
                        string ctx = $"{(max ? "max" : "min")} axis {axis} of {c}";
                        AssertClose(ctx + " values", expectedV, v, 0f, 0f);
                        AssertClose(ctx + " indices", expectedI, i, 0f, 0f);
                    }
    }

    private static (float[] Values, float[] Indices) ArgReference(bool max, float[] values, int[] shape, int axis)
    {
        var keep = (int[])shape.Clone();
        keep[axis] = 1;
        int outer = new Shape(keep).Numel;
        var v = new float[outer];
        var ix = new float[outer];
        for (int o = 0; o < outer; o++)
        {
            var index = Unravel(o, keep);
            int best = -1;
            for (int k = 0; k < shape[axis]; k++)
            {
                index[axis] = k;
                int flat = 0;
                for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
                float value = values[flat];
                if (best < 0 || (!float.IsNaN(v[o]) && (float.IsNaN(value) || (max ? value > v[o] : value < v[o]))))
                {
                    best = k;
                    v[o] = value;
                }
            }
            ix[o] = best;
        }
        return (v, ix);
    }

    [Test]
    public void ResultsWithoutKeptDimensionsOwnTheirBuffers()
    {
        var x = Tensor.Ones(new Shape(4, 3), device);
        var sum = x.Sum(0);
        var (values, indices) = x.MaxWithIndex(1);
        foreach (var t in new[] { sum, values, indices, x }) t.Dispose();
        Assert.That(new[] { sum, values, indices, x }.All(t => t.Storage.IsReleased), Is.True);
    }

    [Test]
    public void BadAxesNameTheOpTheAxisAndTheShape()
    {
        var x = Tensor.Zeros(new Shape(2, 3), device);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(2))!;
        Assert.That(e.Message, Does.Contain("Sum").And.Contain("axis 2").And.Contain("[2, 3]"));
        var neg = Assert.Throws<ArgumentOutOfRangeException>(() => x.Mean([-3]))!;
        Assert.That(neg.Message, Does.Contain("Mean").And.Contain("axis -3").And.Contain("[2, 3]"));
        var twice = Assert.Throws<ArgumentException>(() => x.Max([1, -1]))!;
        Assert.That(twice.Message, Does.Contain("Max").And.Contain("[2, 3]"));
        var arg = Assert.Throws<ArgumentOutOfRangeException>(() => x.ArgMin(5))!;
        Assert.That(arg.Message, Does.Contain("ArgMin").And.Contain("axis 5").And.Contain("[2, 3]"));
    }
}
