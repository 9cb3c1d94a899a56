using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>Pad and PadBackward: hand-computed examples, a scalar reference, and the adjoint identity.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class PadTests(Device device)
{
    private Tensor Random(int seed, params int[] shape) =>
        Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), shape, device);

    private Tensor Floats(float[] values, params int[] shape) => Tensor.FromArray(values, shape, device);

    /// <summary>
    /// For one axis of <paramref name="size"/>, the input position each padded position copies (-1: constant),
    /// spelled out as the picture in PadMode's docs: reflect mirrors without the edge, replicate repeats it.
    /// </summary>
    private static int[] AxisSources(int size, int before, int after, PadMode mode)
    {
        var middle = Enumerable.Range(0, size);
        IEnumerable<int> left, right;
        switch (mode)
        {
            case PadMode.Reflect:
                left = Enumerable.Range(1, before).Reverse();           // before, ..., 2, 1
                right = Enumerable.Range(0, after).Select(k => size - 2 - k); // size-2, size-3, ...
                break;
            case PadMode.Replicate:
                left = Enumerable.Repeat(0, before);
                right = Enumerable.Repeat(size - 1, after);
                break;
            default:
                left = Enumerable.Repeat(-1, before);
                right = Enumerable.Repeat(-1, after);
                break;
        }
        return left.Concat(middle).Concat(right).ToArray();
    }

    /// <summary>PyTorch's F.pad order (last axis first) turned into one (before, after) pair per axis.</summary>
    private static int[] PerAxis(int rank, int[] pads)
    {
        var full = new int[2 * rank];
        for (int k = 0; k < pads.Length / 2; k++)
        {
            full[2 * (rank - 1 - k)] = pads[2 * k];
            full[2 * (rank - 1 - k) + 1] = pads[2 * k + 1];
        }
        return full;
    }

    private static (float[] Y, int[] Shape) PadReference(float[] x, int[] shape, int[] pads, PadMode mode, float value)
    {
        int rank = shape.Length;
        var full = PerAxis(rank, pads);
        var sources = Enumerable.Range(0, rank).Select(d => AxisSources(shape[d], full[2 * d], full[2 * d + 1], mode)).ToArray();
        var yShape = sources.Select(s => s.Length).ToArray();
        var y = new List<float>();
        foreach (var p in RowMajor.Positions(yShape))
        {
            var q = p.Select((j, d) => sources[d][j]).ToArray();
            y.Add(q.Any(i => i < 0) ? value : x[RowMajor.Flat(q, shape)]);
        }
        return (y.ToArray(), yShape);
    }

    private static float[] PadBackwardReference(float[] gy, int[] shape, int[] pads, PadMode mode)
    {
        int rank = shape.Length;
        var full = PerAxis(rank, pads);
        var sources = Enumerable.Range(0, rank).Select(d => AxisSources(shape[d], full[2 * d], full[2 * d + 1], mode)).ToArray();
        var yShape = sources.Select(s => s.Length).ToArray();
        var gx = new float[shape.Aggregate(1, (a, b) => a * b)];
        foreach (var p in RowMajor.Positions(yShape))
        {
            var q = p.Select((j, d) => sources[d][j]).ToArray();
            if (q.All(i => i >= 0)) gx[RowMajor.Flat(q, shape)] += gy[RowMajor.Flat(p, yShape)];
        }
        return gx;
    }

    private void CheckPad(Tensor x, int[] pads, PadMode mode, float value = 0f)
    {
        var y = x.Pad(pads, mode, value);
        var (expected, shape) = PadReference(x.ToArray(), x.Shape.ToArray(), pads, mode, value);
        TensorAssert.Close(expected, y, 0, 0, new Shape(shape));
    }

    private void CheckPadBackward(int[] shape, int[] pads, PadMode mode, int seed)
    {
        var x = Random(seed, shape);
        var yShape = x.Pad(pads, mode).Shape;
        var g = Random(seed + 1, yShape.ToArray());
        var gx = Tensor.PadBackward(g, x.Shape, pads, mode);
        TensorAssert.Close(PadBackwardReference(g.ToArray(), shape, pads, mode), gx, 1e-5f, 1e-5f, x.Shape);
        // The adjoint identity <pad(x), g> == <x, padBackward(g)>.
        double lhs = Dot(x.Pad(pads, mode), g), rhs = Dot(x, gx);
        Assert.That(rhs, Is.EqualTo(lhs).Within(1e-4 * (1 + Math.Abs(lhs))), "adjoint identity");
    }

    private static double Dot(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray(), (u, v) => (double)u * v).Sum();

    // ---- hand-computed examples ----------------------------------------------------------------------------------

    [Test]
    public void OneDimensionalExamples()
    {
        var x = Floats(new float[] { 1, 2, 3 }, 3);
        Assert.That(x.Pad(new[] { 2, 1 }, PadMode.Reflect).ToArray(), Is.EqualTo(new float[] { 3, 2, 1, 2, 3, 2 }));
        Assert.That(x.Pad(new[] { 2, 1 }, PadMode.Replicate).ToArray(), Is.EqualTo(new float[] { 1, 1, 1, 2, 3, 3 }));
        Assert.That(x.Pad(new[] { 2, 1 }, PadMode.Constant, 9f).ToArray(), Is.EqualTo(new float[] { 9, 9, 1, 2, 3, 9 }));
        Assert.That(x.Pad(new[] { 0, 2 }).ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 0, 0 }));
        Assert.That(x.Pad(new[] { 0, 0 }, PadMode.Reflect).ToArray(), Is.EqualTo(new float[] { 1, 2, 3 }));
    }

    [Test]
    public void TwoDimensionalExamples()
    {
        var x = Floats(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        // Last axis only.
        Assert.That(x.Pad(new[] { 1, 2 }, PadMode.Reflect).ToArray(),
            Is.EqualTo(new float[] { 2, 1, 2, 3, 2, 1, 5, 4, 5, 6, 5, 4 }));
        // Last two axes: (left, right, top, bottom).
        var r = x.Pad(new[] { 1, 1, 1, 0 }, PadMode.Reflect);
        Assert.That(r.Shape, Is.EqualTo(new Shape(3, 5)));
        Assert.That(r.ToArray(), Is.EqualTo(new float[] { 5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5 }));
        Assert.That(x.Pad(new[] { 1, 1, 1, 0 }, PadMode.Replicate).ToArray(),
            Is.EqualTo(new float[] { 1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6 }));
        Assert.That(x.Pad(new[] { 0, 1, 0, 1 }, PadMode.Constant, -1f).ToArray(),
            Is.EqualTo(new float[] { 1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1, -1 }));
    }

    [Test]
    public void PadBackwardSmallExample()
    {
        // reflect [x0 x1 x2] by (2, 1) = [x2 x1 x0 x1 x2 x1]
        var g = Floats(new float[] { 1, 2, 3, 4, 5, 6 }, 6);
        Assert.That(Tensor.PadBackward(g, new Shape(3), new[] { 2, 1 }, PadMode.Reflect).ToArray(), Is.EqualTo(new float[] { 3, 12, 6 }));
        Assert.That(Tensor.PadBackward(g, new Shape(3), new[] { 2, 1 }, PadMode.Replicate).ToArray(), Is.EqualTo(new float[] { 6, 4, 11 }));
        Assert.That(Tensor.PadBackward(g, new Shape(3), new[] { 2, 1 }, PadMode.Constant).ToArray(), Is.EqualTo(new float[] { 3, 4, 5 }));
    }

    // ---- reference comparisons ------------------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var mode in new[] { PadMode.Constant, PadMode.Reflect, PadMode.Replicate })
        {
            yield return new TestCaseData(new[] { 5 }, new[] { 3, 4 }, mode);
            yield return new TestCaseData(new[] { 4, 6 }, new[] { 2, 3 }, mode);
            yield return new TestCaseData(new[] { 4, 6 }, new[] { 1, 0, 3, 2 }, mode);
            yield return new TestCaseData(new[] { 2, 3, 5, 4 }, new[] { 1, 2, 2, 1 }, mode);
            yield return new TestCaseData(new[] { 2, 3, 5, 4 }, new[] { 3, 0, 0, 4 }, mode);
            yield return new TestCaseData(new[] { 2, 3, 5, 4 }, new[] { 1, 1, 1, 1, 1, 2, 1, 0 }, mode);
            yield return new TestCaseData(new[] { 1, 1, 2, 2 }, new[] { 1, 1, 1, 1 }, mode);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void PadMatchesReference(int[] shape, int[] pads, PadMode mode)
    {
        CheckPad(Random(1, shape), pads, mode, 0.5f);
    }

    [TestCaseSource(nameof(Cases))]
    public void PadBackwardMatchesReferenceAndIsTheAdjoint(int[] shape, int[] pads, PadMode mode) =>
        CheckPadBackward(shape, pads, mode, 2);

    [TestCase(PadMode.Constant)]
    [TestCase(PadMode.Reflect)]
    [TestCase(PadMode.Replicate)]
    public void PadReadsNonContiguousNchwViews(PadMode mode)
    {
        var nhwc = Random(3, 2, 5, 6, 3);
        CheckPad(nhwc.Permute(0, 3, 1, 2), new[] { 2, 1, 1, 3 }, mode);
        CheckPad(Random(4, 6, 4).T, new[] { 1, 2, 3, 1 }, mode);
        CheckPad(Random(5, 2, 1, 1, 4).Expand(2, 3, 5, 4), new[] { 1, 1, 2, 2 }, mode);
        CheckPad(Random(6, 2, 3, 9, 8).Slice(2, 1, null, 2).Slice(3, 0, null, 3), new[] { 1, 2, 1, 2 }, mode);
    }

    [TestCase(PadMode.Constant)]
    [TestCase(PadMode.Reflect)]
    [TestCase(PadMode.Replicate)]
    public void LargeImageBatches(PadMode mode)
    {
        CheckPad(Random(7, 4, 8, 34, 34), new[] { 2, 2, 3, 1 }, mode);
        CheckPadBackward(new[] { 4, 8, 34, 34 }, new[] { 2, 2, 3, 1 }, mode, 8);
    }

    [TestCase(PadMode.Constant)]
    [TestCase(PadMode.Reflect)]
    [TestCase(PadMode.Replicate)]
    public void PadBackwardKernelReadsStridedGradients(PadMode mode)
    {
        // The front end hands the kernel a contiguous gradient; the kernel contract allows any strides.
        var x = Random(9, 3, 4);
        int[] full = { 2, 1, 1, 2 };
        var g = Random(10, 7, 6).T; // [6, 7] strided
        var gx = Tensor.Zeros(x.Shape, device);
        device.Backend.PadBackward(g, full, mode, gx);
        TensorAssert.Close(PadBackwardReference(g.ToArray(), new[] { 3, 4 }, new[] { 1, 2, 2, 1 }, mode), gx, 1e-5f, 1e-5f);
    }

    [Test]
    public void EdgeShapes()
    {
        // Constant padding of an empty axis fills the whole output.
        Assert.That(Floats(Array.Empty<float>(), 0).Pad(new[] { 1, 2 }, PadMode.Constant, 7f).ToArray(), Is.EqualTo(new float[] { 7, 7, 7 }));
        Assert.That(Floats(Array.Empty<float>(), 2, 0).Pad(new[] { 0, 0, 1, 0 }).Shape, Is.EqualTo(new Shape(3, 0)));
        // A scalar (rank 0) has nothing to pad.
        Assert.That(Tensor.Scalar(4f, device).Pad(Array.Empty<int>()).Item(), Is.EqualTo(4f));
        // Size-1 axes replicate and pad with constants; reflect allows no padding there.
        CheckPad(Random(11, 1, 1), new[] { 2, 3, 1, 1 }, PadMode.Replicate);
        CheckPad(Random(12, 1, 3), new[] { 2, 2 }, PadMode.Reflect);
        CheckPadBackward(new[] { 1, 1 }, new[] { 2, 3, 1, 1 }, PadMode.Replicate, 13);
    }

    // ---- bad input -----------------------------------------------------------------------------------------------

    [Test]
    public void BadPaddingNamesTheOpAndShapes()
    {
        var x = Random(1, 2, 3);
        var r = Assert.Throws<ArgumentException>(() => x.Pad(new[] { 3, 0 }, PadMode.Reflect))!;
        Assert.That(r.Message, Does.Contain("Pad").And.Contain("(3, 0)").And.Contain("axis 1 of size 3").And.Contain("[2, 3]"));
        var r0 = Assert.Throws<ArgumentException>(() => x.Pad(new[] { 0, 0, 0, 2 }, PadMode.Reflect))!;
        Assert.That(r0.Message, Does.Contain("Pad").And.Contain("axis 0 of size 2"));
        var odd = Assert.Throws<ArgumentException>(() => x.Pad(new[] { 1, 1, 1 }))!;
        Assert.That(odd.Message, Does.Contain("Pad").And.Contain("3 values").And.Contain("[2, 3]"));
        var many = Assert.Throws<ArgumentException>(() => x.Pad(new[] { 1, 1, 1, 1, 1, 1 }))!;
        Assert.That(many.Message, Does.Contain("Pad").And.Contain("6 values"));
        var neg = Assert.Throws<ArgumentException>(() => x.Pad(new[] { -1, 0 }))!;
        Assert.That(neg.Message, Does.Contain("Pad").And.Contain("negative"));
        var rep = Assert.Throws<ArgumentException>(() => Floats(Array.Empty<float>(), 2, 0).Pad(new[] { 1, 0 }, PadMode.Replicate))!;
        Assert.That(rep.Message, Does.Contain("Pad").And.Contain("size 0"));
        var back = Assert.Throws<ArgumentException>(() => Tensor.PadBackward(Random(2, 2, 4), x.Shape, new[] { 1, 1 }, PadMode.Constant))!;
        Assert.That(back.Message, Does.Contain("PadBackward").And.Contain("[2, 4]").And.Contain("[2, 5]"));
        var backReflect = Assert.Throws<ArgumentException>(() => Tensor.PadBackward(Random(2, 2, 9), x.Shape, new[] { 3, 3 }, PadMode.Reflect))!;
        Assert.That(backReflect.Message, Does.Contain("PadBackward").And.Contain("reflect"));
    }

    [Test]
    public void KernelRejectsReflectPaddingThatWouldReadOutsideTheInput()
    {
        var x = Random(1, 3);
        var y = Tensor.Zeros(new Shape(9), device);
        var e = Assert.Throws<ArgumentException>(() => device.Backend.Pad(x, new[] { 3, 3 }, PadMode.Reflect, 0f, y))!;
        Assert.That(e.Message, Does.Contain("Pad").And.Contain("reflect").And.Contain("[3]"));
    }
}
