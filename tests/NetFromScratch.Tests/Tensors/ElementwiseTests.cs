using NetFromScratch.Tensors;
using static NetFromScratch.Tests.Tensors.ElementwiseReference;
using static NetFromScratch.Tests.Tensors.StridedReference;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ElementwiseTests(Device device)
{
    // Scalars, size-1 dimensions, lengths around the SIMD width and a length that needs a tail.
    private static readonly int[][] Shapes = [[], [1], [7], [8], [31], [33], [1000], [3, 1, 5], [4, 9], [2, 3, 17]];

    // Values where implementations part ways: NaN, infinities, signed zeros, tiny and subnormal numbers, the
    // overflow and underflow edges of exp, the branch points of softplus, and large magnitudes.
    private static readonly float[] Special =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-30f, -1e-30f, 1e-45f, 1e-5f, -1e-5f,
        0.5f, -0.5f, 1f, -1f, 3f, -3f, 9f, -9f, 15f, -15f, 20f, -20f, 21f, -21f, 30f, -30f, 40f, -40f,
        88f, 88.7f, 89f, -87f, -88f, -100f, -104f, -110f, 100f, 1000f, -1000f, 1e20f, -1e20f,
    ];

    private Tensor Of(float[] data, params int[] shape) => Tensor.FromArray(data, shape, device);

    [Test]
    public void EveryUnaryOpMatchesTheReferenceOnEveryViewAndShape()
    {
        int seed = 0;
        foreach (var (op, a, b) in UnaryCases())
        {
            var (atol, rtol) = Tolerance(op);
            foreach (var shape in Shapes)
                foreach (var c in Views(shape, n => Data(n, ++seed, scale: 3f), device))
                    AssertClose($"{op}({a}, {b}) on {c}", Unary(op, c.Values, a, b), c.View.Apply(op, a, b), atol, rtol, shape);
        }
    }

    [Test]
    public void EveryUnaryOpHandlesSpecialValuesOnTheVectorAndStridedPaths()
    {
        foreach (var (op, a, b) in UnaryCases())
        {
            var (atol, rtol) = Tolerance(op);
            var expected = Unary(op, Special, a, b);
            // Contiguous: SIMD with a partial last vector.
            AssertClose($"{op}({a}) contiguous", expected, Of(Special, Special.Length).Apply(op, a, b), atol, rtol);
            // Every other element of an interleaved buffer: the strided scalar path.
            var interleaved = new float[2 * Special.Length];
            for (int i = 0; i < Special.Length; i++) { interleaved[2 * i] = Special[i]; interleaved[2 * i + 1] = 7f; }
            var strided = Of(interleaved, Special.Length, 2).Select(1, 0);
            AssertClose($"{op}({a}) strided", expected, strided.Apply(op, a, b), atol, rtol);
        }
    }

    [Test]
    public void UnaryOpsOnLargeTensorsThatSplitAcrossThreads()
    {
        var data = Data(100_000, 5, scale: 4f);
        var x = Of(data, 100_000);
        var t = Of(data, 250, 400).T;
        var tValues = Logical(data, t);
        foreach (var (op, a, b) in UnaryCases())
        {
            var (atol, rtol) = Tolerance(op);
            AssertClose($"{op} [100000]", Unary(op, data, a, b), x.Apply(op, a, b), atol, rtol);
            AssertClose($"{op} transposed [400, 250]", Unary(op, tValues, a, b), t.Apply(op, a, b), atol, rtol);
        }
    }

    [Test]
    public void EveryBinaryOpMatchesTheReferenceOnEveryViewAndShape()
    {
        int seed = 100;
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var shape in Shapes)
            {
                var lefts = Views(shape, n => Data(n, ++seed, scale: 2f), device).ToList();
                // The right operand repeats some left values so that comparisons meet ties.
                var rights = Views(shape, n => Data(n, seed, scale: 2f).Select((v, i) => i % 3 == 0 ? v : v * 0.7f).ToArray(), device).ToList();
                foreach (var l in lefts)
                    foreach (var r in rights)
                    {
                        var expected = l.Values.Zip(r.Values, (x, y) => (float)Binary(op, x, y)).ToArray();
                        AssertClose($"{op} {l} with {r}", expected, Tensor.Binary(op, l.View, r.View), 1e-6f, 2e-7f, shape);
                    }
            }
    }

    [Test]
    public void EveryBinaryOpHandlesSpecialValuesInEveryLayout()
    {
        int n = Special.Length;
        var col = Of(Special, n, 1);
        var row = Of(Special, 1, n);
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            var expected = new float[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) expected[i * n + j] = (float)Binary(op, Special[i], Special[j]);
            var transposedExpected = new float[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) transposedExpected[i * n + j] = expected[j * n + i];
            // A broadcast column against a row: the scalar-on-the-left vector path.
            AssertClose($"{op} [n,1] with [1,n]", expected, Tensor.Binary(op, col, row), 1e-6f, 2e-7f);
            // A row against a broadcast column: the scalar-on-the-right path.
            AssertClose($"{op} [1,n] with [n,1]", transposedExpected, Tensor.Binary(op, row, col), 1e-6f, 2e-7f);
            // Both materialised: span with span.
            var left = col.Expand(n, n).Contiguous();
            var right = row.Expand(n, n).Contiguous();
            AssertClose($"{op} [n,n] with [n,n]", expected, Tensor.Binary(op, left, right), 1e-6f, 2e-7f);
            // Both broadcast along the same axis: a constant row.
            var lc = Of(Special, n, 1).Expand(n, 5);
            var rc = Of(Special.Reverse().ToArray(), n, 1).Expand(n, 5);
            var constant = new float[n * 5];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < 5; j++) constant[i * 5 + j] = (float)Binary(op, Special[i], Special[n - 1 - i]);
            AssertClose($"{op} constant rows", constant, Tensor.Binary(op, lc, rc), 1e-6f, 2e-7f);
        }
    }

    [Test]
    public void BinaryOpsOnLargeTensorsThatSplitAcrossThreads()
    {
        var a = Data(100_000, 11, scale: 2f);
        var b = Data(100_000, 12, scale: 2f);
        var row = Data(100, 13);
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            var expected = a.Zip(b, (x, y) => (float)Binary(op, x, y)).ToArray();
            AssertClose($"{op} [100000]", expected, Tensor.Binary(op, Of(a, 100_000), Of(b, 100_000)), 1e-6f, 2e-7f);
            var bcast = new float[100_000];
            for (int i = 0; i < bcast.Length; i++) bcast[i] = (float)Binary(op, a[i], row[i % 100]);
            AssertClose($"{op} [1000, 100] with [100]", bcast, Tensor.Binary(op, Of(a, 1000, 100), Of(row, 100)), 1e-6f, 2e-7f);
            var t = Of(a, 100, 1000).T;
            var tv = Logical(a, t);
            var tExpected = tv.Select((x, i) => (float)Binary(op, x, row[i % 100])).ToArray();
            AssertClose($"{op} transposed [1000, 100] with [100]", tExpected, Tensor.Binary(op, t, Of(row, 100)), 1e-6f, 2e-7f);
        }
    }

    [Test]
    public void WhereSelectsWithBroadcastingAndTreatsNaNAsTrue()
    {
        float[] cond = [1f, 0f, float.NaN, -0f, 2f, 0f, -1f, 0f, 0.5f];
        float[] a = Enumerable.Range(0, 9).Select(i => 10f + i).ToArray();
        float[] b = Enumerable.Range(0, 9).Select(i => -10f - i).ToArray();
        var y = Tensor.Where(Of(cond, 9), Of(a, 9), Of(b, 9));
        Assert.That(y.ToArray(), Is.EqualTo(new[] { 10f, -11, 12, -13, 14, -15, 16, -17, 18 }));

        // Condition [3,1], a [1,4], b scalar.
        var c2 = Of([1f, 0f, 1f], 3, 1);
        var a2 = Of([1f, 2f, 3f, 4f], 1, 4);
        var y2 = Tensor.Where(c2, a2, Tensor.Scalar(-5f, device));
        Assert.That(y2.Shape, Is.EqualTo(new Shape(3, 4)));
        Assert.That(y2.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, -5, -5, -5, -5, 1, 2, 3, 4 }));

        foreach (int n in new[] { 7, 33, 100_000 })
        {
            var cd = Data(n, 21);
            var ad = Data(n, 22);
            var bd = Data(n, 23);
            var expected = cd.Select((v, i) => v != 0 ? ad[i] : bd[i]).ToArray();
            AssertClose($"Where [{n}]", expected, Tensor.Where(Of(cd, n), Of(ad, n), Of(bd, n)), 0f, 0f);
            // Strided inputs take the scalar path.
            var t = Of(ad, n, 1).Expand(n, 2).Select(1, 1);
            AssertClose($"Where strided [{n}]", expected, Tensor.Where(Of(cd, n), t, Of(bd, n)), 0f, 0f);
        }
    }

    [Test]
    public void EmptyTensorsGiveEmptyResults()
    {
        foreach (var shape in new[] { new[] { 0 }, new[] { 3, 0 }, new[] { 0, 4 } })
        {
            var e = Tensor.Zeros(shape, device);
            Assert.That(e.Exp().Shape.ToArray(), Is.EqualTo(shape));
            Assert.That((e + e).Shape.ToArray(), Is.EqualTo(shape));
            Assert.That(Tensor.Where(e, e, e).Numel, Is.Zero);
            Assert.That(e.AddInPlace(1f).Numel, Is.Zero);
            Assert.That(e.Clone().ToArray(), Is.Empty);
        }
        var broadcastEmpty = Tensor.Zeros(new Shape(0, 1), device) + Tensor.Ones(new Shape(1, 5), device);
        Assert.That(broadcastEmpty.Shape, Is.EqualTo(new Shape(0, 5)));
    }

    [Test]
    public void ScalarTensorsCombineWithEachOtherAndWithVectors()
    {
        var s = Tensor.Scalar(2f, device);
        var t = Tensor.Scalar(-3f, device);
        Assert.That((s * t).Shape.Rank, Is.Zero);
        Assert.That((s * t).Item(), Is.EqualTo(-6f));
        Assert.That(s.Exp().Item(), Is.EqualTo(MathF.Exp(2f)).Within(1e-6f));
        var v = Of([1f, 2f, 3f, 4f, 5f], 5);
        Assert.That((v - s).ToArray(), Is.EqualTo(new float[] { -1, 0, 1, 2, 3 }));
        Assert.That((s - v).ToArray(), Is.EqualTo(new float[] { 1, 0, -1, -2, -3 }));
        Assert.That(v.Gt(s).ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 1, 1 }));
    }

    [Test]
    public void ScalarOverloadsAndOperatorsFollowTheirDefinitions()
    {
        var data = Data(33, 31, scale: 2f);
        var x = Of(data, 33);
        AssertClose("x + 2", data.Select(v => v + 2f).ToArray(), x + 2f, 1e-6f, 0f);
        AssertClose("2 + x", data.Select(v => v + 2f).ToArray(), 2f + x, 1e-6f, 0f);
        AssertClose("x - 2", data.Select(v => v - 2f).ToArray(), x - 2f, 1e-6f, 0f);
        AssertClose("2 - x", data.Select(v => 2f - v).ToArray(), 2f - x, 1e-6f, 0f);
        AssertClose("x * 3", data.Select(v => v * 3f).ToArray(), x * 3f, 1e-6f, 0f);
        AssertClose("x / 4", data.Select(v => v / 4f).ToArray(), x / 4f, 1e-6f, 0f);
        AssertClose("4 / x", data.Select(v => 4f / v).ToArray(), 4f / x, 0f, 2e-7f);
        AssertClose("-x", data.Select(v => -v).ToArray(), -x, 0f, 0f);
        AssertClose("x.Pow(2)", data.Select(v => v * v).ToArray(), x.Pow(2f), 0f, 0f);
        AssertClose("x.Pow(3)", data.Select(v => (float)Math.Pow(v, 3)).ToArray(), x.Pow(3f), 1e-7f, 4e-7f);
        AssertClose("x.Pow(x)", data.Select(v => (float)Math.Pow(v, v)).ToArray(), x.Pow(x), 1e-7f, 4e-7f);
        AssertClose("x.Reciprocal()", data.Select(v => 1f / v).ToArray(), x.Reciprocal(), 0f, 2e-7f);
        AssertClose("x.Lt(0.5)", data.Select(v => v < 0.5f ? 1f : 0f).ToArray(), x.Lt(0.5f), 0f, 0f);
        AssertClose("x.Eq(0.5)", data.Select(v => v == 0.5f ? 1f : 0f).ToArray(), x.Eq(0.5f), 0f, 0f);
        AssertClose("x.Ge(x)", data.Select(_ => 1f).ToArray(), x.Ge(x), 0f, 0f);
        AssertClose("x.Ne(x)", data.Select(_ => 0f).ToArray(), x.Ne(x), 0f, 0f);
    }

    [Test]
    public void SignOfZeroIsZeroAndSoftplusStaysAccurateAtLargeMagnitudes()
    {
        Assert.That(Of([0f, -0f, 3f, -2f, float.NaN], 5).Sign().ToArray(), Is.EqualTo(new[] { 0f, 0f, 1f, -1f, float.NaN }));
        float[] xs = [-1000f, -100f, -30f, -21f, -20f, -19f, -5f, 0f, 5f, 19f, 20f, 21f, 30f, 100f, 1000f];
        foreach (var x in new[] { Of(xs, xs.Length), Of(xs.Concat(xs).ToArray(), 2, xs.Length).T.Select(1, 0) })
        {
            var y = x.Softplus().ToArray();
            for (int i = 0; i < xs.Length; i++)
            {
                double r = Unary(UnaryOp.Softplus, xs[i], 0, 0);
                Assert.That(y[i], Is.EqualTo((float)r).Within(4e-5).Percent.Or.EqualTo((float)r).Within(1e-44f), $"softplus({xs[i]})");
            }
            Assert.That(y[0], Is.EqualTo(0f));
            Assert.That(y[2], Is.GreaterThan(0f), "softplus(-30) is about 9.4e-14, not 0");
            Assert.That(y[^1], Is.EqualTo(1000f));
        }
    }

    [Test]
    public void GeluAndItsDerivativeMatchTheErfDefinition()
    {
        var xs = Enumerable.Range(-800, 1601).Select(i => i / 100f).ToArray();
        var x = Of(xs, xs.Length);
        AssertClose("Gelu", Unary(UnaryOp.Gelu, xs, 0, 0), x.Gelu(), 2e-7f, 4e-7f);
        AssertClose("GeluDerivative", Unary(UnaryOp.GeluDerivative, xs, 0, 0), x.Apply(UnaryOp.GeluDerivative), 2e-7f, 4e-7f);
        // The derivative against central differences of GELU itself, in double.
        foreach (float v in new[] { -3f, -1f, -0.25f, 0f, 0.5f, 2f })
        {
            double h = 1e-4;
            double numeric = ((v + h) * NormalCdf(v + h) - (v - h) * NormalCdf(v - h)) / (2 * h);
            Assert.That(Of([v], 1).Apply(UnaryOp.GeluDerivative).Item(), Is.EqualTo(numeric).Within(1e-6), $"x = {v}");
        }
        Assert.That(Of([float.NegativeInfinity, float.PositiveInfinity], 2).Gelu().ToArray(), Is.EqualTo(new[] { 0f, float.PositiveInfinity }));
    }

    [Test]
    public void InPlaceOpsUpdateStridedViewsAndOnlyThem()
    {
        var baseData = Data(12, 41);
        var other = Data(12, 42);

        // x.T += o writes through the transpose into x.
        var x = Of((float[])baseData.Clone(), 3, 4);
        var o = Of(other, 4, 3);
        x.T.AddInPlace(o);
        var expected = new float[12];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) expected[i * 4 + j] = baseData[i * 4 + j] + other[j * 3 + i];
        AssertClose("x.T.AddInPlace", expected, x, 0f, 0f);

        // Broadcast right operands in place, on a transposed target.
        var y = Of((float[])baseData.Clone(), 4, 3);
        var col = Of([1f, 2f, 3f], 3, 1);
        y.T.MulInPlace(col);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++) expected[i * 3 + j] = baseData[i * 3 + j] * (j + 1);
        AssertClose("y.T.MulInPlace([3,1])", expected, y, 0f, 0f);

        // Every other column only.
        var z = Of((float[])baseData.Clone(), 3, 4);
        var cols = z.Slice(1, 0, null, 2);
        cols.SubInPlace(Of([1f, 2f], 2));
        cols.DivInPlace(Tensor.Scalar(2f, device));
        cols.AddInPlace(0.5f);
        cols.MulInPlace(-1f);
        cols.ClampInPlace(-0.6f, 0.6f);
        cols.ApplyInPlace(UnaryOp.Tanh);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            {
                float v = baseData[i * 4 + j];
                if (j % 2 == 0) v = MathF.Tanh(Math.Clamp(-((v - (j / 2 + 1)) / 2f + 0.5f), -0.6f, 0.6f));
                expected[i * 4 + j] = v;
            }
        AssertClose("ops on a step-sliced view", expected, z, 1e-7f, 2e-7f);

        // Fill, zero and copy through views.
        var w = Of((float[])baseData.Clone(), 3, 4);
        w.Slice(1, 1, null, 2).FillInPlace(9f);
        w.Select(0, 2).ZeroInPlace();
        w.T.Narrow(0, 0, 1).CopyFrom(Of([5f, 6f, 7f], 3, 1).T);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                expected[i * 4 + j] = j == 0 ? 5f + i : i == 2 ? 0f : j % 2 == 1 ? 9f : baseData[i * 4 + j];
        AssertClose("fill, zero and copy through views", expected, w, 0f, 0f);

        var big = Tensor.Zeros(new Shape(300, 400), device);
        big.T.CopyFrom(Of(Data(400, 43), 400, 1));
        var bigRef = new float[120_000];
        var bigRow = Data(400, 43);
        for (int i = 0; i < 300; i++)
            for (int j = 0; j < 400; j++) bigRef[i * 400 + j] = bigRow[j];
        AssertClose("CopyFrom a broadcast column into a large transposed view", bigRef, big, 0f, 0f);
    }

    [Test]
    public void CopiesOfViewsHoldTheirLogicalValues()
    {
        // Small, odd and large matrices and batches of them: the large transposes take the blocked copy.
        foreach (var shape in new[] { new[] { 5, 7 }, new[] { 2, 3, 4 }, new[] { 8, 8 }, new[] { 64, 70 }, new[] { 300, 200 }, new[] { 3, 20, 35 } })
            foreach (var c in Views(shape, n => Data(n, 51), device))
            {
                AssertClose($"Clone of {c}", c.Values, c.View.Clone(), 0f, 0f, shape);
                AssertClose($"Contiguous of {c}", c.Values, c.View.Contiguous(), 0f, 0f, shape);
            }
        var data = Data(24, 52);
        var p = Of(data, 2, 3, 4).Permute(2, 0, 1);
        AssertClose("Contiguous of a permuted [4, 2, 3]", Logical(data, p), p.Contiguous(), 0f, 0f);
        Assert.That(Of([-0f], 1).Clone().ToArray()[0], Is.EqualTo(-0f).And.Matches<float>(float.IsNegative), "a copy keeps the sign of zero");
    }

    [Test]
    public void OperandsGoBackToThePoolOnceDisposed()
    {
        // Broadcasting makes temporary views of the operands; they must not keep the buffers alive.
        var a = Tensor.Ones(new Shape(4, 3), device);
        var b = Tensor.Ones(new Shape(3), device);
        var c = Tensor.Ones(new Shape(4, 1), device);
        var results = new[] { a + b, Tensor.Where(c, a, b), a.Maximum(c) };
        a.AddInPlace(b);
        a.CopyFrom(c);
        foreach (var r in results) r.Dispose();
        foreach (var t in new[] { a, b, c }) t.Dispose();
        Assert.That(a.Storage.IsReleased && b.Storage.IsReleased && c.Storage.IsReleased, Is.True);
        Assert.That(results.All(r => r.Storage.IsReleased), Is.True);
    }

    [Test]
    public void BadArgumentsNameTheOpAndShapes()
    {
        var x = Of(Data(6, 61), 2, 3);
        var clamp = Assert.Throws<ArgumentException>(() => x.Clamp(1f, -1f))!;
        Assert.That(clamp.Message, Does.Contain("Clamp"));
        var inPlace = Assert.Throws<ArgumentException>(() => x.AddInPlace(Tensor.Zeros(new Shape(4, 3), device)))!;
        Assert.That(inPlace.Message, Does.Contain("AddInPlace").And.Contain("[2, 3]").And.Contain("[4, 3]"));
        var grow = Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(3), device).MulInPlace(x))!;
        Assert.That(grow.Message, Does.Contain("MulInPlace").And.Contain("[2, 3]").And.Contain("[3]"));
        var copy = Assert.Throws<ArgumentException>(() => x.CopyFrom(Tensor.Zeros(new Shape(2), device)))!;
        Assert.That(copy.Message, Does.Contain("CopyFrom").And.Contain("[2]").And.Contain("[2, 3]"));
    }
}
