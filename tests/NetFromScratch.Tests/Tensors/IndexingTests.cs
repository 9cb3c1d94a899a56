using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>Gather, scatter-add, index-select, index-add and one-hot against scalar references.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class IndexingTests(Device device)
{
    private Tensor Random(int seed, params int[] shape) =>
        Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), shape, device);

    private Tensor Indices(int[] values, params int[] shape) =>
        Tensor.FromArray(values.Select(v => (float)v).ToArray(), shape, device);

    private Tensor Floats(float[] values, params int[] shape) => Tensor.FromArray(values, shape, device);

    private static int[] RandomIndices(int count, int limit, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(limit)).ToArray();
    }

    private static double Dot(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray(), (u, v) => (double)u * v).Sum();

    // ---- scalar references -------------------------------------------------------------------------------------

    private static float[] GatherReference(float[] x, int[] xShape, int axis, int[] index, int[] indexShape)
    {
        var y = new float[index.Length];
        foreach (var p in RowMajor.Positions(indexShape))
        {
            int flat = RowMajor.Flat(p, indexShape);
            var q = (int[])p.Clone();
            q[axis] = index[flat];
            y[flat] = x[RowMajor.Flat(q, xShape)];
        }
        return y;
    }

    private static float[] ScatterAddReference(float[] target, int[] targetShape, int axis, int[] index, int[] indexShape, float[] source)
    {
        var t = (float[])target.Clone();
        foreach (var p in RowMajor.Positions(indexShape))
        {
            int flat = RowMajor.Flat(p, indexShape);
            var q = (int[])p.Clone();
            q[axis] = index[flat];
            t[RowMajor.Flat(q, targetShape)] += source[flat];
        }
        return t;
    }

    private static float[] IndexSelectReference(float[] x, int[] xShape, int axis, int[] index)
    {
        var yShape = (int[])xShape.Clone();
        yShape[axis] = index.Length;
        var y = new float[yShape.Aggregate(1, (a, b) => a * b)];
        foreach (var p in RowMajor.Positions(yShape))
        {
            var q = (int[])p.Clone();
            q[axis] = index[p[axis]];
            y[RowMajor.Flat(p, yShape)] = x[RowMajor.Flat(q, xShape)];
        }
        return y;
    }

    private static float[] IndexAddReference(float[] target, int[] targetShape, int axis, int[] index, float[] source)
    {
        var sShape = (int[])targetShape.Clone();
        sShape[axis] = index.Length;
        var t = (float[])target.Clone();
        foreach (var p in RowMajor.Positions(sShape))
        {
            var q = (int[])p.Clone();
            q[axis] = index[p[axis]];
            t[RowMajor.Flat(q, targetShape)] += source[RowMajor.Flat(p, sShape)];
        }
        return t;
    }

    // ---- gather --------------------------------------------------------------------------------------------------

    private void CheckGather(Tensor x, int axis, int[] indexShape, int seed)
    {
        int a = axis < 0 ? axis + x.Rank : axis;
        var index = RandomIndices(new Shape(indexShape).Numel, x.Shape[a], seed);
        var y = x.Gather(axis, Indices(index, indexShape));
        var expected = GatherReference(x.ToArray(), x.Shape.ToArray(), a, index, indexShape);
        TensorAssert.Close(expected, y, 0, 0, new Shape(indexShape));
    }

    [TestCase(0, new[] { 4, 5 })]
    [TestCase(0, new[] { 2, 3 })]
    [TestCase(1, new[] { 3, 7 })]
    [TestCase(1, new[] { 2, 1 })]
    [TestCase(-1, new[] { 3, 2 })]
    public void GatherAlongEachAxisOf2D(int axis, int[] indexShape) => CheckGather(Random(1, 3, 5), axis, indexShape, 2);

    [TestCase(0, new[] { 5, 3, 4 })]
    [TestCase(0, new[] { 1, 2, 3 })]
    [TestCase(1, new[] { 2, 6, 4 })]
    [TestCase(1, new[] { 1, 2, 2 })]
    [TestCase(2, new[] { 2, 3, 9 })]
    [TestCase(2, new[] { 2, 1, 3 })]
    public void GatherAlongEachAxisOf3D(int axis, int[] indexShape) => CheckGather(Random(3, 2, 3, 4), axis, indexShape, 4);

    [Test]
    public void GatherReadsNonContiguousInputs()
    {
        CheckGather(Random(5, 5, 3).T, 1, new[] { 3, 4 }, 6);
        CheckGather(Random(7, 4, 6, 3).Narrow(1, 1, 4).Permute(2, 0, 1), 0, new[] { 2, 4, 3 }, 8);
        CheckGather(Random(9, 1, 6).Expand(4, 6), 0, new[] { 4, 6 }, 10);
        CheckGather(Random(11, 4, 1).Expand(4, 6), 1, new[] { 3, 8 }, 12);
    }

    [Test]
    public void GatherPicksClassScoresLikeCrossEntropy()
    {
        var logits = Random(13, 300, 100);
        CheckGather(logits, 1, new[] { 300, 1 }, 14);
        CheckGather(Random(15, 40, 1500), 0, new[] { 40, 1500 }, 16);
    }

    [Test]
    public void FewLongRowsAreSplitAcrossCores()
    {
        CheckGather(Random(17, 3, 70_000), 0, new[] { 1, 70_000 }, 18);
        CheckGather(Random(19, 3, 2000).T, 1, new[] { 2000, 2 }, 20);
        CheckIndexSelect(Random(21, 3, 70_000), 0, new[] { 2 });
        CheckIndexSelect(Random(22, 3, 500, 7).Permute(0, 2, 1), 0, new[] { 1, 1 });
    }

    [Test]
    public void GatherSmallExample()
    {
        var x = Floats(new float[] { 1, 2, 3, 4 }, 2, 2);
        var y = x.Gather(1, Indices(new[] { 0, 0, 1, 0 }, 2, 2));
        Assert.That(y.ToArray(), Is.EqualTo(new float[] { 1, 1, 4, 3 }));
    }

    [Test]
    public void GatherOfEmptyIndexIsEmpty()
    {
        var y = Random(1, 3, 5).Gather(1, Indices(Array.Empty<int>(), 3, 0));
        Assert.That(y.Shape, Is.EqualTo(new Shape(3, 0)));
    }

    // ---- scatter-add ---------------------------------------------------------------------------------------------

    private void CheckScatterAdd(int[] targetShape, int axis, int[] indexShape, int seed, Func<Tensor, Tensor>? view = null)
    {
        var target = Random(seed, targetShape);
        var before = target.ToArray();
        var index = RandomIndices(new Shape(indexShape).Numel, targetShape[axis], seed + 1);
        Tensor source;
        if (view is null) source = Random(seed + 2, indexShape);
        else source = view(Random(seed + 2, indexShape));
        Assert.That(source.Shape, Is.EqualTo(new Shape(indexShape)));
        var result = target.ScatterAddInPlace(axis, Indices(index, indexShape), source);
        Assert.That(result, Is.SameAs(target));
        var expected = ScatterAddReference(before, targetShape, axis, index, indexShape, source.ToArray());
        TensorAssert.Close(expected, target, 1e-5f, 1e-5f);
    }

    [TestCase(0, new[] { 6, 4 })]
    [TestCase(0, new[] { 2, 2 })]
    [TestCase(1, new[] { 3, 9 })]
    [TestCase(1, new[] { 1, 3 })]
    public void ScatterAddAlongEachAxisOf2DAccumulatesDuplicates(int axis, int[] indexShape) =>
        CheckScatterAdd(new[] { 3, 4 }, axis, indexShape, 20);

    [TestCase(0, new[] { 6, 3, 4 })]
    [TestCase(1, new[] { 2, 8, 2 })]
    [TestCase(2, new[] { 1, 3, 10 })]
    public void ScatterAddAlongEachAxisOf3DAccumulatesDuplicates(int axis, int[] indexShape) =>
        CheckScatterAdd(new[] { 2, 3, 4 }, axis, indexShape, 30);

    [Test]
    public void ScatterAddReadsNonContiguousSources()
    {
        CheckScatterAdd(new[] { 3, 4 }, 1, new[] { 3, 5 }, 40, s => s.T.Contiguous().T);
        CheckScatterAdd(new[] { 3, 4 }, 0, new[] { 5, 4 }, 41, s => s.Narrow(0, 0, 1).Expand(5, 4));
    }

    [Test]
    public void ScatterAddOnLargeTensorsMatchesReference()
    {
        CheckScatterAdd(new[] { 8, 5000 }, 0, new[] { 20, 5000 }, 50);
        CheckScatterAdd(new[] { 300, 100 }, 1, new[] { 300, 1 }, 51);
    }

    [Test]
    public void ScatterAddSmallExampleSumsDuplicates()
    {
        var target = Tensor.Zeros(new Shape(2, 3), device);
        target.ScatterAddInPlace(1, Indices(new[] { 2, 2, 0, 1, 1, 1 }, 2, 3), Floats(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        Assert.That(target.ToArray(), Is.EqualTo(new float[] { 3, 0, 3, 0, 15, 0 }));
    }

    [Test]
    public void ScatterAddIsTheAdjointOfGather()
    {
        // <gather(x), g> == <x, scatterAdd(0, g)>
        var x = Random(60, 4, 6);
        var index = Indices(RandomIndices(15, 6, 61), 3, 5);
        var g = Random(62, 3, 5);
        double lhs = Dot(x.Gather(1, index), g);
        double rhs = Dot(x, Tensor.Zeros(x.Shape, device).ScatterAddInPlace(1, index, g));
        Assert.That(rhs, Is.EqualTo(lhs).Within(1e-5));
    }

    // ---- index-select and index-add -----------------------------------------------------------------------------

    private void CheckIndexSelect(Tensor x, int axis, int[] index)
    {
        var y = x.IndexSelect(axis, Indices(index, index.Length));
        var expected = IndexSelectReference(x.ToArray(), x.Shape.ToArray(), axis < 0 ? axis + x.Rank : axis, index);
        TensorAssert.Close(expected, y, 0, 0);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(-1)]
    public void IndexSelectAlongEachAxis(int axis)
    {
        var x = Random(70, 3, 4, 5);
        int size = x.Shape[axis < 0 ? axis + 3 : axis];
        CheckIndexSelect(x, axis, new[] { size - 1, 0, 0, size / 2, size - 1, 1 });
        CheckIndexSelect(x, axis, new[] { 1 });
        CheckIndexSelect(x, axis, Array.Empty<int>());
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void IndexSelectReadsNonContiguousInputs(int axis)
    {
        var x = Random(71, 5, 4, 3).Permute(2, 0, 1); // [3, 5, 4]
        CheckIndexSelect(x, axis, new[] { 2, 0, 1, 2 });
        var sliced = Random(72, 4, 7, 6).Slice(1, 1, null, 2); // [4, 3, 6]
        CheckIndexSelect(sliced, axis, new[] { 1, 2, 0, 0 });
        CheckIndexSelect(Random(73, 1, 4, 1).Expand(3, 4, 3), axis, new[] { 2, 2, 0 });
    }

    [Test]
    public void IndexSelectOfEmbeddingRows()
    {
        var table = Random(74, 50, 64);
        CheckIndexSelect(table, 0, RandomIndices(600, 50, 75));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void IndexAddAccumulatesDuplicates(int axis)
    {
        var shape = new[] { 3, 4, 5 };
        var index = new[] { shape[axis] - 1, 0, shape[axis] - 1, 1, 0, shape[axis] - 1 };
        var sShape = (int[])shape.Clone();
        sShape[axis] = index.Length;
        foreach (bool strided in new[] { false, true })
        {
            var target = Random(80, shape);
            var before = target.ToArray();
            var source = strided ? Random(81, sShape.Reverse().ToArray()).Permute(2, 1, 0) : Random(81, sShape);
            target.IndexAddInPlace(axis, Indices(index, index.Length), source);
            TensorAssert.Close(IndexAddReference(before, shape, axis, index, source.ToArray()), target, 1e-5f, 1e-5f);
        }
    }

    [Test]
    public void IndexAddOfEmbeddingGradients()
    {
        var index = RandomIndices(600, 50, 82);
        var target = Tensor.Zeros(new Shape(50, 512), device);
        var source = Random(83, 600, 512);
        target.IndexAddInPlace(0, Indices(index, 600), source);
        TensorAssert.Close(IndexAddReference(new float[50 * 512], new[] { 50, 512 }, 0, index, source.ToArray()), target, 1e-4f, 1e-5f);
    }

    [Test]
    public void IndexAddIsTheAdjointOfIndexSelect()
    {
        var x = Random(84, 5, 3);
        var index = Indices(new[] { 4, 4, 0, 2 }, 4);
        var g = Random(85, 4, 3);
        double lhs = Dot(x.IndexSelect(0, index), g);
        double rhs = Dot(x, Tensor.Zeros(x.Shape, device).IndexAddInPlace(0, index, g));
        Assert.That(rhs, Is.EqualTo(lhs).Within(1e-5));
    }

    // ---- one-hot -------------------------------------------------------------------------------------------------

    [Test]
    public void OneHotOfVector()
    {
        var y = Tensor.OneHot(Indices(new[] { 2, 0, 3, 2 }, 4), 4);
        Assert.That(y.Shape, Is.EqualTo(new Shape(4, 4)));
        Assert.That(y.ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0 }));
    }

    [Test]
    public void OneHotOfMatrixMatchesReference()
    {
        var index = RandomIndices(6 * 7, 5, 90);
        var y = Tensor.OneHot(Indices(index, 6, 7), 5);
        var expected = new float[6 * 7 * 5];
        for (int i = 0; i < index.Length; i++) expected[i * 5 + index[i]] = 1;
        TensorAssert.Close(expected, y, 0, 0, new Shape(6, 7, 5));
    }

    [Test]
    public void OneHotOfLargeBatchMatchesReference()
    {
        var index = RandomIndices(2000, 100, 91);
        var y = Tensor.OneHot(Indices(index, 2000), 100);
        var expected = new float[2000 * 100];
        for (int i = 0; i < index.Length; i++) expected[i * 100 + index[i]] = 1;
        TensorAssert.Close(expected, y, 0, 0);
    }

    // ---- bad input -----------------------------------------------------------------------------------------------

    [Test]
    public void GatherOutOfRangeIndexNamesOpValuePositionAndShape()
    {
        var x = Random(1, 3, 5);
        var e = Assert.Throws<IndexOutOfRangeException>(() => x.Gather(1, Indices(new[] { 0, 1, 2, 1, 2, 7 }, 2, 3)))!;
        Assert.That(e.Message, Is.EqualTo("Gather: index 7 at position [1, 2] is out of range for axis 1 of size 5 (input shape [3, 5])."));
    }

    [Test]
    public void NegativeIndicesAreRejected()
    {
        var x = Random(1, 3, 5);
        var e = Assert.Throws<IndexOutOfRangeException>(() => x.Gather(0, Indices(new[] { 0, -1 }, 1, 2)))!;
        Assert.That(e.Message, Does.StartWith("Gather: index -1 at position [0, 1] is negative").And.Contain("[0, 3)").And.Contain("[3, 5]"));
        var s = Assert.Throws<IndexOutOfRangeException>(() => x.IndexSelect(1, Indices(new[] { 1, -2 }, 2)))!;
        Assert.That(s.Message, Does.StartWith("IndexSelect: index -2 at position [1] is negative").And.Contain("axis 1 of size 5"));
        var o = Assert.Throws<IndexOutOfRangeException>(() => Tensor.OneHot(Indices(new[] { -1 }, 1), 3))!;
        Assert.That(o.Message, Does.StartWith("OneHot: index -1 at position [0] is negative").And.Contain("3 classes"));
    }

    [Test]
    public void FractionalAndNaNIndicesAreRejected()
    {
        var x = Random(1, 3, 5);
        var e = Assert.Throws<ArgumentException>(() => x.Gather(1, Floats(new[] { 0f, 1.5f }, 1, 2)))!;
        Assert.That(e.Message, Does.StartWith("Gather: index 1.5 at position [0, 1] is not a whole number").And.Contain("[3, 5]"));
        var n = Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Floats(new[] { 0f, float.NaN }, 2)))!;
        Assert.That(n.Message, Does.StartWith("IndexSelect: index NaN at position [1] is not a whole number"));
        var i = Assert.Throws<IndexOutOfRangeException>(() => x.IndexSelect(0, Floats(new[] { float.PositiveInfinity }, 1)))!;
        Assert.That(i.Message, Does.StartWith("IndexSelect: index Infinity at position [0] is out of range"));
    }

    [Test]
    public void ScatterAddRejectsBadIndicesBeforeWritingAnything()
    {
        var target = Random(1, 3, 4);
        var before = target.ToArray();
        var e = Assert.Throws<IndexOutOfRangeException>(() =>
            target.ScatterAddInPlace(0, Indices(new[] { 0, 1, 2, 0, 2, 3 }, 2, 3), Random(2, 2, 3)))!;
        Assert.That(e.Message, Is.EqualTo("ScatterAdd: index 3 at position [1, 2] is out of range for axis 0 of size 3 (target shape [3, 4])."));
        Assert.That(target.ToArray(), Is.EqualTo(before));
    }

    [Test]
    public void IndexAddAndOneHotNameTheirLimits()
    {
        var target = Random(1, 3, 4);
        var before = target.ToArray();
        var e = Assert.Throws<IndexOutOfRangeException>(() => target.IndexAddInPlace(1, Indices(new[] { 3, 4 }, 2), Random(2, 3, 2)))!;
        Assert.That(e.Message, Is.EqualTo("IndexAdd: index 4 at position [1] is out of range for axis 1 of size 4 (target shape [3, 4])."));
        Assert.That(target.ToArray(), Is.EqualTo(before));
        var o = Assert.Throws<IndexOutOfRangeException>(() => Tensor.OneHot(Indices(new[] { 0, 1, 5, 2 }, 2, 2), 5))!;
        Assert.That(o.Message, Is.EqualTo("OneHot: index 5 at position [1, 0] is out of range for 5 classes (index shape [2, 2])."));
    }

    [Test]
    public void TheFirstBadIndexIsReportedInLargeIndexTensors()
    {
        var values = RandomIndices(50_000, 10, 3);
        values[45_000] = 12;
        values[30_001] = 11;
        var x = Random(4, 10, 1).Expand(10, 50_000);
        var e = Assert.Throws<IndexOutOfRangeException>(() => x.Gather(0, Indices(values, 1, 50_000)))!;
        Assert.That(e.Message, Does.StartWith("Gather: index 11 at position [0, 30001] is out of range"));
    }

    [Test]
    public void ShapeErrorsNameTheOpAndShapes()
    {
        var x = Random(1, 3, 5);
        var r = Assert.Throws<ArgumentException>(() => x.Gather(1, Indices(new[] { 0, 1, 2 }, 3)))!;
        Assert.That(r.Message, Does.Contain("Gather").And.Contain("rank 1").And.Contain("[3]").And.Contain("[3, 5]"));
        var big = Assert.Throws<ArgumentException>(() => x.Gather(1, Indices(new int[8], 4, 2)))!;
        Assert.That(big.Message, Does.Contain("Gather").And.Contain("[4, 2]").And.Contain("[3, 5]"));
        var src = Assert.Throws<ArgumentException>(() => x.Clone().ScatterAddInPlace(0, Indices(new int[4], 2, 2), Random(2, 2, 3)))!;
        Assert.That(src.Message, Does.Contain("ScatterAdd").And.Contain("[2, 3]").And.Contain("[2, 2]"));
        var nc = Assert.Throws<InvalidOperationException>(() => x.T.ScatterAddInPlace(0, Indices(new int[2], 1, 2), Random(2, 1, 2)))!;
        Assert.That(nc.Message, Does.Contain("ScatterAdd").And.Contain("contiguous").And.Contain("[5, 3]"));
        var sel = Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Indices(new int[4], 2, 2)))!;
        Assert.That(sel.Message, Does.Contain("IndexSelect").And.Contain("[2, 2]"));
        var add = Assert.Throws<ArgumentException>(() => x.Clone().IndexAddInPlace(0, Indices(new int[2], 2), Random(2, 2, 4)))!;
        Assert.That(add.Message, Does.Contain("IndexAdd").And.Contain("[2, 5]").And.Contain("[2, 4]"));
        var classes = Assert.Throws<ArgumentException>(() => Tensor.OneHot(Indices(new int[2], 2), 0))!;
        Assert.That(classes.Message, Does.Contain("OneHot").And.Contain("0"));
    }
}
