using NetFromScratch.Tensors;
using static NetFromScratch.Tests.Tensors.ElementwiseReference;
using static NetFromScratch.Tests.Tensors.StridedReference;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class BroadcastingTests(Device device)
{
    private static readonly BinaryOp[] Ops = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div, BinaryOp.Maximum, BinaryOp.Less, BinaryOp.Pow];

    // Each direction: column with row, trailing vector on either side, size-1 vectors, leading ones, scalars,
    // and large broadcasts that split across threads (a bias row, a per-channel column).
    private static readonly (int[] A, int[] B)[] Pairs =
    [
        ([3, 1], [1, 4]), ([2, 3, 4], [4]), ([4], [2, 3, 4]), ([1], [5]), ([5], [1]), ([2, 1, 4], [3, 1]),
        ([], [2, 3]), ([2, 3], []), ([1, 1, 1], [2, 1, 3]), ([2, 3, 1], [2, 3, 33]), ([1024, 64], [64]),
        ([64, 1], [64, 700]), ([8, 1, 40], [1, 300, 1]),
    ];

    [Test]
    public void BinaryOpsBroadcastInEveryDirection()
    {
        int seed = 0;
        foreach (var (sa, sb) in Pairs)
        {
            var da = Data(new Shape(sa).Numel, ++seed, scale: 2f);
            var db = Data(new Shape(sb).Numel, ++seed, scale: 2f);
            var shape = BroadcastShape(sa, sb);
            foreach (var op in Ops)
            {
                var expected = new float[new Shape(shape).Numel];
                for (int i = 0; i < expected.Length; i++)
                {
                    var index = Unravel(i, shape);
                    expected[i] = (float)Binary(op, da[BroadcastSource(index, sa)], db[BroadcastSource(index, sb)]);
                }
                var a = Tensor.FromArray(da, sa, device);
                var b = Tensor.FromArray(db, sb, device);
                AssertClose($"{op} {a.Shape} with {b.Shape}", expected, Tensor.Binary(op, a, b), 1e-6f, 4e-7f, shape);
            }
        }
    }

    [Test]
    public void BroadcastingComposesWithNonContiguousOperands()
    {
        var da = Data(12, 1);
        var db = Data(3, 2);
        var a = Tensor.FromArray(da, new Shape(4, 3), device).T; // [3, 4], strides (1, 3)
        var b = Tensor.FromArray(db, new Shape(3, 1), device);
        var av = Logical(da, a);
        var expected = new float[12];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) expected[i * 4 + j] = av[i * 4 + j] - db[i];
        AssertClose("transposed [3,4] - [3,1]", expected, a - b, 0f, 0f, [3, 4]);

        var wide = Data(3 * 9, 3);
        var sliced = Tensor.FromArray(wide, new Shape(3, 9), device).Slice(1, 0, null, 2); // [3, 5]
        var sv = Logical(wide, sliced);
        var row = Data(5, 4);
        var expected2 = sv.Select((v, i) => v * row[i % 5]).ToArray();
        AssertClose("step-sliced [3,5] * [5]", expected2, sliced * Tensor.FromArray(row, new Shape(5), device), 0f, 0f, [3, 5]);
    }

    [Test]
    public void WhereBroadcastsAllThreeOperands()
    {
        var c = Tensor.FromArray([1f, 0f], new Shape(2, 1, 1), device);
        var a = Tensor.FromArray([1f, 2f, 3f], new Shape(3, 1), device);
        var b = Tensor.FromArray([-1f, -2f, -3f, -4f], new Shape(4), device);
        var y = Tensor.Where(c, a, b);
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 3, 4)));
        var expected = new float[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) expected[(i * 3 + j) * 4 + k] = i == 0 ? j + 1 : -(k + 1);
        AssertClose("Where [2,1,1] [3,1] [4]", expected, y, 0f, 0f);
    }

    [Test]
    public void InPlaceOpsBroadcastTheOtherOperandOnly()
    {
        var x = Tensor.Zeros(new Shape(2, 3), device);
        x.AddInPlace(Tensor.FromArray([1f, 2f, 3f], new Shape(3), device));
        x.MulInPlace(Tensor.FromArray([10f, 100f], new Shape(2, 1), device));
        Assert.That(x.ToArray(), Is.EqualTo(new float[] { 10, 20, 30, 100, 200, 300 }));
        x.CopyFrom(Tensor.Scalar(7f, device));
        Assert.That(x.ToArray(), Is.All.EqualTo(7f));
    }

    [Test]
    public void IncompatibleShapesNameTheOpAndBothShapes()
    {
        var a = Tensor.Zeros(new Shape(2, 3), device);
        var b = Tensor.Zeros(new Shape(4), device);
        var add = Assert.Throws<ArgumentException>(() => _ = a + b)!;
        Assert.That(add.Message, Does.Contain("Add").And.Contain("[2, 3]").And.Contain("[4]"));
        var max = Assert.Throws<ArgumentException>(() => a.Maximum(Tensor.Zeros(new Shape(3, 3), device)))!;
        Assert.That(max.Message, Does.Contain("Maximum").And.Contain("[2, 3]").And.Contain("[3, 3]"));
        var lt = Assert.Throws<ArgumentException>(() => b.Lt(Tensor.Zeros(new Shape(2, 5), device)))!;
        Assert.That(lt.Message, Does.Contain("Less").And.Contain("[4]").And.Contain("[2, 5]"));
        var where = Assert.Throws<ArgumentException>(() => Tensor.Where(a, b, a))!;
        Assert.That(where.Message, Does.Contain("Where").And.Contain("[2, 3]").And.Contain("[4]"));
    }
}
