using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>
/// Max and average pooling against scalar references that follow PyTorch's rules tap by tap: padding never wins a
/// max; ceil mode keeps a last window only if it starts inside the input or the left padding; an average divides by
/// the window clipped to the padded input (count_include_pad) or by the real elements under it.
/// </summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class PoolingTests(Device device)
{
    /// <summary>One pooling problem on an input [N, C, H, W].</summary>
    public sealed record PoolCase(string Name, int N, int C, int H, int W, Pool2dParams P)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<PoolCase> MaxCases()
    {
        yield return new("2x2 stride 2", 2, 3, 6, 8, Pool2dParams.Square(2));
        // Odd sizes leave a row and a column unused; the widths give the vector path whole vectors and a scalar tail.
        yield return new("2x2 stride 2, wide rows", 2, 3, 7, 37, Pool2dParams.Square(2));
        yield return new("2x2 stride 2, ceil mode, wide rows", 1, 2, 5, 33, Pool2dParams.Square(2, ceilMode: true));
        // More planes than one chunk of the vector path holds, with a partial last chunk and padded borders.
        yield return new("3x3 stride 2 pad 1, many planes", 5, 7, 9, 9, Pool2dParams.Square(3, 2, 1));
        yield return new("3x3 stride 2 pad 1 (overlapping)", 2, 2, 7, 6, Pool2dParams.Square(3, 2, 1));
        yield return new("3x3 stride 1 (overlapping)", 1, 2, 5, 5, Pool2dParams.Square(3, 1));
        yield return new("ceil mode", 1, 2, 6, 7, Pool2dParams.Square(3, 2, ceilMode: true));
        yield return new("ceil mode with padding", 2, 1, 5, 5, Pool2dParams.Square(2, 2, 1, ceilMode: true));
        yield return new("dilation 2", 2, 2, 9, 8, Pool2dParams.Square(3, 1, 1, 2));
        yield return new("dilation, ceil, padding", 1, 3, 8, 9, new Pool2dParams(3, 2, 2, 3, 1, 1, 2, 1, CeilMode: true));
        yield return new("non-square", 2, 2, 7, 9, new Pool2dParams(2, 3, 1, 2, 1, 1));
        yield return new("global", 3, 4, 4, 5, new Pool2dParams(4, 5, 4, 5));
    }

    public static IEnumerable<PoolCase> AvgCases()
    {
        foreach (bool include in new[] { true, false })
        {
            string tag = include ? "count pad" : "real only";
            yield return new($"2x2 stride 2, {tag}", 2, 3, 6, 8, Pool2dParams.Square(2, countIncludePad: include));
            yield return new($"3x3 stride 2 pad 1, {tag}", 2, 2, 7, 6, Pool2dParams.Square(3, 2, 1, countIncludePad: include));
            yield return new($"3x3 stride 1 pad 1, {tag}", 1, 2, 5, 5, Pool2dParams.Square(3, 1, 1, countIncludePad: include));
            yield return new($"ceil mode, {tag}", 1, 2, 6, 7, Pool2dParams.Square(3, 2, ceilMode: true, countIncludePad: include));
            yield return new($"ceil mode with padding, {tag}", 2, 1, 5, 6, Pool2dParams.Square(3, 2, 1, ceilMode: true, countIncludePad: include));
            yield return new($"non-square, {tag}", 2, 2, 7, 9, new Pool2dParams(2, 4, 1, 3, 1, 2, CeilMode: true, CountIncludePad: include));
        }
    }

    private Tensor Random(Shape shape, int seed) => Tensor.FromArray(TensorAssert.RandomData(shape.Numel, seed), shape, device);

    [TestCaseSource(nameof(MaxCases))]
    public void MaxPoolForwardMatchesReference(PoolCase k)
    {
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 1);
        var (y, idx) = x.MaxPool2d(k.P);
        var (ey, eidx) = ReferenceMax(k, x.ToArray());
        var shape = new Shape(k.N, k.C, k.P.OutputHeight(k.H), k.P.OutputWidth(k.W));
        TensorAssert.Close(ey, y, 0f, 0f, shape);
        TensorAssert.Close(eidx, idx, 0f, 0f, shape);
    }

    [TestCaseSource(nameof(MaxCases))]
    public void MaxPoolBackwardRoutesToTheWinners(PoolCase k)
    {
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 1);
        var (y, idx) = x.MaxPool2d(k.P);
        var gy = Random(y.Shape, 2);
        var gx = Tensor.MaxPool2dBackward(gy, idx, x.Shape);
        var (_, eidx) = ReferenceMax(k, x.ToArray());
        var g = gy.ToArray();
        var expected = new float[x.Numel];
        int planeOut = y.Shape[2] * y.Shape[3];
        for (int i = 0; i < g.Length; i++) expected[i / planeOut * k.H * k.W + (int)eidx[i]] += g[i];
        TensorAssert.Close(expected, gx, 1e-6f, 1e-6f, x.Shape);
    }

    [Test]
    public void MaxPoolTiesPickTheFirstAndOverlapsSum()
    {
        // A constant plane: every window ties, so each picks its first tap; with stride 1 and a 2x2 window the
        // interior positions win several windows, and their gradients add up.
        var x = Tensor.Full(new Shape(1, 1, 3, 3), 2f, device);
        var (y, idx) = x.MaxPool2d(Pool2dParams.Square(2, 1));
        Assert.That(y.ToArray(), Is.EqualTo(new float[] { 2, 2, 2, 2 }));
        Assert.That(idx.ToArray(), Is.EqualTo(new float[] { 0, 1, 3, 4 }));
        var gx = Tensor.MaxPool2dBackward(Tensor.Ones(y.Shape, device), idx, x.Shape);
        Assert.That(gx.ToArray(), Is.EqualTo(new float[] { 1, 1, 0, 1, 1, 0, 0, 0, 0 }));

        // Padding is -inf: an all-negative input still returns a real element, never a padded zero.
        var neg = Tensor.Full(new Shape(1, 1, 2, 2), -3f, device);
        var (ny, nidx) = neg.MaxPool2d(Pool2dParams.Square(2, 1, 1));
        Assert.That(ny.ToArray(), Is.All.EqualTo(-3f));
        Assert.That(nidx.ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 0, 0, 1, 2, 2, 3 }));
    }

    [TestCaseSource(nameof(AvgCases))]
    public void AvgPoolForwardMatchesReference(PoolCase k)
    {
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 1);
        var y = x.AvgPool2d(k.P);
        TensorAssert.Close(ReferenceAvg(k, x.ToArray()), y, 1e-6f, 1e-5f, new Shape(k.N, k.C, k.P.OutputHeight(k.H), k.P.OutputWidth(k.W)));
    }

    [TestCaseSource(nameof(AvgCases))]
    public void AvgPoolBackwardMatchesReference(PoolCase k)
    {
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 1);
        var gy = Random(new Shape(k.N, k.C, k.P.OutputHeight(k.H), k.P.OutputWidth(k.W)), 2);
        var gx = Tensor.AvgPool2dBackward(gy, x.Shape, k.P);
        TensorAssert.Close(ReferenceAvgBackward(k, gy.ToArray()), gx, 1e-6f, 1e-5f, x.Shape);
        // The backward is the adjoint of the forward: <avgpool(x), g> == <x, backward(g)>.
        Assert.That(Dot(x.ToArray(), gx.ToArray()), Is.EqualTo(Dot(x.AvgPool2d(k.P).ToArray(), gy.ToArray())).Within(1e-4));
    }

    [Test]
    public void AvgPoolCeilModeDivisorsFollowPyTorch()
    {
        // torch.nn.functional.avg_pool2d(arange(1, 10).view(1, 1, 3, 3), 2, 2, ceil_mode=True) == [[3, 4.5], [7.5, 9]]:
        // windows hanging past the input are clipped before counting, even with count_include_pad=True.
        var x = Tensor.FromArray(Enumerable.Range(1, 9).Select(i => (float)i).ToArray(), new Shape(1, 1, 3, 3), device);
        Assert.That(x.AvgPool2d(Pool2dParams.Square(2, ceilMode: true)).ToArray(), Is.EqualTo(new float[] { 3, 4.5f, 7.5f, 9 }));
        // With padding 1 and count_include_pad the padded zeros count: the corner window 1 / 4, the next (2 + 3) / 4.
        var padded = x.AvgPool2d(Pool2dParams.Square(2, 2, 1)).ToArray();
        Assert.That(padded, Is.EqualTo(new float[] { 0.25f, 1.25f, 2.75f, 7f }));
        var real = x.AvgPool2d(Pool2dParams.Square(2, 2, 1, countIncludePad: false)).ToArray();
        Assert.That(real, Is.EqualTo(new float[] { 1f, 2.5f, 5.5f, 7f }));
    }

    [Test]
    public void ErrorsNameTheOpAndShapes()
    {
        var rank3 = Random(new Shape(2, 3, 4), 1);
        var e = Assert.Throws<ArgumentException>(() => rank3.MaxPool2d(Pool2dParams.Square(2)))!;
        Assert.That(e.Message, Does.Contain("MaxPool2d").And.Contain("[2, 3, 4]"));
        var x = Random(new Shape(1, 1, 3, 3), 1);
        e = Assert.Throws<ArgumentException>(() => x.AvgPool2d(Pool2dParams.Square(4)))!;
        Assert.That(e.Message, Does.Contain("AvgPool2d").And.Contain("[1, 1, 3, 3]"));
        e = Assert.Throws<ArgumentException>(() => x.MaxPool2d(Pool2dParams.Square(2, 1, 2)))!;
        Assert.That(e.Message, Does.Contain("MaxPool2d").And.Contain("padding"));
        e = Assert.Throws<ArgumentException>(() => x.AvgPool2d(Pool2dParams.Square(2, 1, dilation: 2)))!;
        Assert.That(e.Message, Does.Contain("AvgPool2d").And.Contain("dilation"));
        e = Assert.Throws<ArgumentException>(() => Tensor.AvgPool2dBackward(Random(new Shape(1, 1, 2, 2), 1), x.Shape, Pool2dParams.Square(2)))!;
        Assert.That(e.Message, Does.Contain("AvgPool2dBackward").And.Contain("[1, 1, 1, 1]").And.Contain("[1, 1, 2, 2]"));
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    [Test]
    public void MaxPoolNaNWinsItsWindow()
    {
        // 2x2 windows with NaNs placed at each of the four taps of some windows: a NaN wins its window (the last NaN in
        // window order, as in PyTorch), and windows without one are untouched.
        var data = TensorAssert.RandomData(2 * 34, 3);
        foreach (int at in new[] { 0, 3, 34 + 4, 34 + 7, 10, 34 + 10, 33 }) data[at] = float.NaN;
        var x = Tensor.FromArray(data, new Shape(1, 1, 2, 34), device);
        var (y, idx) = x.MaxPool2d(Pool2dParams.Square(2));
        var (ey, eidx) = ReferenceMax(new PoolCase("nan", 1, 1, 2, 34, Pool2dParams.Square(2)), data);
        var values = y.ToArray();
        var indices = idx.ToArray();
        for (int i = 0; i < ey.Length; i++)
        {
            Assert.That(float.IsNaN(values[i]), Is.EqualTo(float.IsNaN(ey[i])), $"value {i}");
            if (!float.IsNaN(ey[i])) Assert.That(values[i], Is.EqualTo(ey[i]), $"value {i}");
            Assert.That(indices[i], Is.EqualTo(eidx[i]), $"index {i}");
        }
    }

    // ---- Scalar references, one tap at a time. ----

    private static (float[] Values, float[] Indices) ReferenceMax(PoolCase k, float[] x)
    {
        var p = k.P;
        int oh = p.OutputHeight(k.H), ow = p.OutputWidth(k.W);
        var y = new float[k.N * k.C * oh * ow];
        var idx = new float[y.Length];
        for (int plane = 0; plane < k.N * k.C; plane++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    float best = float.NegativeInfinity;
                    int bestAt = -1;
                    for (int i = 0; i < p.KernelH; i++)
                        for (int j = 0; j < p.KernelW; j++)
                        {
                            int ih = r * p.StrideH - p.PadH + i * p.DilationH;
                            int iw = c * p.StrideW - p.PadW + j * p.DilationW;
                            if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                            float v = x[plane * k.H * k.W + ih * k.W + iw];
                            if (bestAt < 0 || v > best || float.IsNaN(v))
                            {
                                best = v;
                                bestAt = ih * k.W + iw;
                            }
                        }
                    y[(plane * oh + r) * ow + c] = best;
                    idx[(plane * oh + r) * ow + c] = bestAt;
                }
        return (y, idx);
    }

    /// <summary>The divisor of one window: taps inside the padded input (count_include_pad) or inside the input.</summary>
    private static int Divisor(PoolCase k, int r, int c)
    {
        var p = k.P;
        int count = 0;
        for (int i = 0; i < p.KernelH; i++)
            for (int j = 0; j < p.KernelW; j++)
            {
                int ih = r * p.StrideH - p.PadH + i, iw = c * p.StrideW - p.PadW + j;
                bool inPadded = ih < k.H + p.PadH && iw < k.W + p.PadW;
                bool inInput = ih >= 0 && ih < k.H && iw >= 0 && iw < k.W;
                if (p.CountIncludePad ? inPadded : inInput) count++;
            }
        return count;
    }

    private static float[] ReferenceAvg(PoolCase k, float[] x)
    {
        var p = k.P;
        int oh = p.OutputHeight(k.H), ow = p.OutputWidth(k.W);
        var y = new float[k.N * k.C * oh * ow];
        for (int plane = 0; plane < k.N * k.C; plane++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    double s = 0;
                    for (int i = 0; i < p.KernelH; i++)
                        for (int j = 0; j < p.KernelW; j++)
                        {
                            int ih = r * p.StrideH - p.PadH + i, iw = c * p.StrideW - p.PadW + j;
                            if (ih >= 0 && ih < k.H && iw >= 0 && iw < k.W) s += x[plane * k.H * k.W + ih * k.W + iw];
                        }
                    y[(plane * oh + r) * ow + c] = (float)(s / Divisor(k, r, c));
                }
        return y;
    }

    private static float[] ReferenceAvgBackward(PoolCase k, float[] gy)
    {
        var p = k.P;
        int oh = p.OutputHeight(k.H), ow = p.OutputWidth(k.W);
        var gx = new double[k.N * k.C * k.H * k.W];
        for (int plane = 0; plane < k.N * k.C; plane++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    double share = gy[(plane * oh + r) * ow + c] / (double)Divisor(k, r, c);
                    for (int i = 0; i < p.KernelH; i++)
                        for (int j = 0; j < p.KernelW; j++)
                        {
                            int ih = r * p.StrideH - p.PadH + i, iw = c * p.StrideW - p.PadW + j;
                            if (ih >= 0 && ih < k.H && iw >= 0 && iw < k.W) gx[plane * k.H * k.W + ih * k.W + iw] += share;
                        }
                }
        return gx.Select(v => (float)v).ToArray();
    }
}
