using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>Concat, Stack and Split against scalar references.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ConcatTests(Device device)
{
    private Tensor Random(int seed, params int[] shape) =>
        Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), shape, device);

    private Tensor Arange(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, new Shape(shape).Numel).Select(i => (float)i).ToArray(), shape, device);

    /// <summary>Element p of the result comes from the piece whose range along the axis holds p[axis].</summary>
    private static float[] ConcatReference(IReadOnlyList<Tensor> pieces, int axis)
    {
        var shape = pieces[0].Shape.ToArray();
        shape[axis] = pieces.Sum(t => t.Shape[axis]);
        var data = pieces.Select(t => t.ToArray()).ToArray();
        var y = new List<float>();
        foreach (var p in RowMajor.Positions(shape))
        {
            int piece = 0, k = p[axis];
            while (k >= pieces[piece].Shape[axis]) k -= pieces[piece++].Shape[axis];
            var q = (int[])p.Clone();
            q[axis] = k;
            y.Add(data[piece][RowMajor.Flat(q, pieces[piece].Shape.ToArray())]);
        }
        return y.ToArray();
    }

    private static void CheckConcat(IReadOnlyList<Tensor> pieces, int axis)
    {
        var y = Tensor.Concat(pieces, axis);
        int a = axis < 0 ? axis + pieces[0].Rank : axis;
        var shape = pieces[0].Shape.ToArray();
        shape[a] = pieces.Sum(t => t.Shape[a]);
        TensorAssert.Close(ConcatReference(pieces, a), y, 0, 0, new Shape(shape));
    }

    private static int[] With(int[] shape, int axis, int size)
    {
        var s = (int[])shape.Clone();
        s[axis] = size;
        return s;
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-1)]
    public void ConcatTwoAndThreeMatricesAlongEachAxis(int axis)
    {
        int a = axis < 0 ? axis + 2 : axis;
        var shape = new[] { 3, 4 };
        CheckConcat(new[] { Random(1, With(shape, a, 2)), Random(2, With(shape, a, 3)) }, axis);
        CheckConcat(new[] { Random(3, With(shape, a, 1)), Random(4, With(shape, a, 3)), Random(5, With(shape, a, 2)) }, axis);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void ConcatOf3DIncludingZeroSizeAndNonContiguousPieces(int axis)
    {
        var shape = new[] { 2, 3, 4 };
        var transposed = Random(6, With(shape, axis, 3).Reverse().ToArray()).Permute(2, 1, 0);
        var sliced = Random(7, With(shape, axis, 4)).Slice(axis, 0, null, 2); // size 2 along axis, strided
        var empty = Random(8, With(shape, axis, 0));
        var expanded = Random(9, With(With(shape, axis, 1), (axis + 1) % 3, 1)).Expand(With(shape, axis, 1));
        CheckConcat(new[] { transposed, empty, sliced }, axis);
        CheckConcat(new[] { empty, expanded }, axis);
        CheckConcat(new[] { sliced, transposed, expanded }, axis);
    }

    [Test]
    public void ConcatSmallExample()
    {
        var y = Tensor.Concat(new[] { Arange(2, 2), Arange(2, 1) + 10f }, 1);
        Assert.That(y.ToArray(), Is.EqualTo(new float[] { 0, 1, 10, 2, 3, 11 }));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(-1)]
    public void StackAddsANewAxis(int axis)
    {
        var pieces = new[] { Random(10, 3, 4), Random(11, 4, 3).T, Random(12, 3, 4) };
        var y = Tensor.Stack(pieces, axis);
        int a = axis < 0 ? axis + 3 : axis;
        var shape = new List<int> { 3, 4 };
        shape.Insert(a, 3);
        Assert.That(y.Shape, Is.EqualTo(new Shape(shape.ToArray())));
        var data = pieces.Select(t => t.ToArray()).ToArray();
        var expected = RowMajor.Positions(shape.ToArray()).Select(p =>
        {
            var rest = p.Where((_, d) => d != a).ToArray();
            return data[p[a]][RowMajor.Flat(rest, new[] { 3, 4 })];
        }).ToArray();
        TensorAssert.Close(expected, y, 0, 0);
    }

    [Test]
    public void SplitBySizesGivesViewsSharingStorage()
    {
        var x = Arange(3, 6);
        var parts = x.Split(new[] { 1, 0, 5 }, 1);
        Assert.That(parts.Select(p => p.Shape), Is.EqualTo(new[] { new Shape(3, 1), new Shape(3, 0), new Shape(3, 5) }));
        Assert.That(parts.All(p => ReferenceEquals(p.Storage, x.Storage)), Is.True);
        Assert.That(parts[0].ToArray(), Is.EqualTo(new float[] { 0, 6, 12 }));
        Assert.That(parts[2].ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17 }));
        TensorAssert.Close(x.ToArray(), Tensor.Concat(parts, 1), 0, 0);
    }

    [Test]
    public void SplitByChunkSizeLeavesASmallerLastPiece()
    {
        var x = Arange(7, 2);
        var parts = x.Split(3);
        Assert.That(parts.Select(p => p.Shape[0]), Is.EqualTo(new[] { 3, 3, 1 }));
        Assert.That(parts.All(p => ReferenceEquals(p.Storage, x.Storage)), Is.True);
        Assert.That(parts[2].ToArray(), Is.EqualTo(new float[] { 12, 13 }));
        var cols = x.Split(1, -1);
        Assert.That(cols.Length, Is.EqualTo(2));
        Assert.That(cols[1].ToArray(), Is.EqualTo(new float[] { 1, 3, 5, 7, 9, 11, 13 }));
        parts[1].FillInPlace(-1f);
        Assert.That(x[4, 1], Is.EqualTo(-1f), "a split piece is a view: writing to it writes to the source");
    }

    [Test]
    public void BadInputNamesTheOpAndShapes()
    {
        var c = Assert.Throws<ArgumentException>(() => Tensor.Concat(new[] { Arange(2, 3), Arange(3, 3) }, 1))!;
        Assert.That(c.Message, Does.Contain("Concat").And.Contain("[3, 3]").And.Contain("[2, 3]"));
        var r = Assert.Throws<ArgumentException>(() => Tensor.Concat(new[] { Arange(2, 3), Arange(6) }))!;
        Assert.That(r.Message, Does.Contain("Concat").And.Contain("rank 1").And.Contain("[6]").And.Contain("[2, 3]"));
        Assert.That(Assert.Throws<ArgumentException>(() => Tensor.Concat(Array.Empty<Tensor>()))!.Message, Does.Contain("Concat"));
        var s = Assert.Throws<ArgumentException>(() => Tensor.Stack(new[] { Arange(2, 3), Arange(3, 2) }))!;
        Assert.That(s.Message, Does.Contain("Stack").And.Contain("[3, 2]").And.Contain("[2, 3]"));
        var sa = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Stack(new[] { Arange(2, 3) }, 4))!;
        Assert.That(sa.Message, Does.Contain("Stack").And.Contain("axis 4"));
        var sp = Assert.Throws<ArgumentException>(() => Arange(3, 6).Split(new[] { 2, 3 }, 1))!;
        Assert.That(sp.Message, Does.Contain("Split").And.Contain("[2, 3]").And.Contain("size 6").And.Contain("[3, 6]"));
        var neg = Assert.Throws<ArgumentException>(() => Arange(3, 6).Split(new[] { 7, -1 }, 1))!;
        Assert.That(neg.Message, Does.Contain("Split").And.Contain("[7, -1]"));
        Assert.That(Assert.Throws<ArgumentException>(() => Arange(3).Split(0))!.Message, Does.Contain("Split").And.Contain("0"));
    }
}
