using System.Runtime.Intrinsics.X86;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Tests.Tensors;

/// <summary>
/// Conv2d forward and both backward passes against direct nested-loop references (no im2col), im2col/col2im
/// against a direct unfold and against each other (they are adjoint), the backward passes against finite
/// differences of the forward, and the front ends' error messages.
/// </summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ConvolutionTests(Device device)
{
    /// <summary>One convolution problem: input [N, C, H, W], weight [O, C/groups, KH, KW].</summary>
    public sealed record ConvCase(string Name, int N, int C, int H, int W, int O, int KH, int KW, Conv2dParams P, bool Bias)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<ConvCase> Cases()
    {
        yield return new("single 3x3", 1, 1, 5, 5, 1, 3, 3, Conv2dParams.Square(), false);
        yield return new("pad 1 with bias", 2, 3, 7, 6, 4, 3, 3, Conv2dParams.Square(1, 1), true);
        yield return new("stride 2, 3x2 kernel, pad 1x0", 2, 3, 9, 8, 4, 3, 2, new Conv2dParams(2, 2, 1, 0), true);
        yield return new("pad 3", 2, 2, 8, 7, 3, 3, 3, Conv2dParams.Square(1, 3), false);
        yield return new("stride 2, wide rows", 2, 3, 7, 29, 4, 3, 3, Conv2dParams.Square(2, 1), true);
        yield return new("dilation 2", 2, 3, 9, 9, 2, 3, 3, Conv2dParams.Square(1, 2, 2), true);
        yield return new("groups 2", 2, 4, 6, 5, 6, 3, 3, Conv2dParams.Square(1, 1, 1, 2), true);
        yield return new("depthwise", 2, 4, 6, 6, 4, 3, 3, Conv2dParams.Square(1, 1, 1, 4), false);
        yield return new("depthwise x2", 1, 3, 5, 7, 6, 3, 3, Conv2dParams.Square(2, 1, 1, 3), true);
        yield return new("1x1", 3, 5, 4, 6, 7, 1, 1, Conv2dParams.Square(), true);
        yield return new("1x1 stride 2", 2, 3, 5, 5, 4, 1, 1, Conv2dParams.Square(2), false);
        yield return new("1x1 groups 2", 2, 4, 3, 3, 6, 1, 1, Conv2dParams.Square(1, 0, 1, 2), true);
        yield return new("mixed geometry", 3, 6, 7, 9, 3, 2, 3, new Conv2dParams(2, 1, 0, 2, 1, 2, 3), true);
        yield return new("kernel = input", 2, 2, 3, 4, 3, 3, 4, Conv2dParams.Square(), true);
        yield return new("large image (one per GEMM)", 2, 2, 34, 33, 3, 3, 3, Conv2dParams.Square(1, 1), true);
        yield return new("large 1x1 (one per GEMM)", 2, 3, 32, 33, 4, 1, 1, Conv2dParams.Square(), true);
        yield return new("large grouped (one per GEMM)", 2, 4, 32, 33, 6, 3, 3, Conv2dParams.Square(1, 1, 1, 2), false);
        yield return new("large 1x1 grouped (one per GEMM)", 2, 4, 32, 32, 6, 1, 1, Conv2dParams.Square(1, 0, 1, 2), true);
        yield return new("many small images (several chunks)", 50, 2, 12, 12, 3, 3, 3, Conv2dParams.Square(), true);
        yield return new("many 1x1 images (several chunks)", 70, 3, 8, 8, 2, 1, 1, Conv2dParams.Square(), false);
    }

    private Tensor Random(Shape shape, int seed) => Tensor.FromArray(TensorAssert.RandomData(shape.Numel, seed), shape, device);

    [TestCaseSource(nameof(Cases))]
    public void ForwardMatchesDirectLoops(ConvCase k)
    {
        var (x, w, b) = Inputs(k);
        var y = Tensor.Conv2d(x, w, b, k.P);
        var expected = ReferenceForward(k, x.ToArray(), w.ToArray(), b?.ToArray());
        TensorAssert.Close(expected, y, 1e-4f, 1e-4f, new Shape(k.N, k.O, OutH(k), OutW(k)));
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardInputMatchesDirectLoops(ConvCase k)
    {
        var (x, w, _) = Inputs(k);
        var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
        var gx = Tensor.Conv2dBackwardInput(gy, w, x.Shape, k.P);
        TensorAssert.Close(ReferenceBackwardInput(k, gy.ToArray(), w.ToArray()), gx, 1e-4f, 1e-4f, x.Shape);
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardWeightMatchesDirectLoops(ConvCase k)
    {
        var (x, w, _) = Inputs(k);
        var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
        var gw = Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P);
        TensorAssert.Close(ReferenceBackwardWeight(k, x.ToArray(), gy.ToArray()), gw, 2e-4f, 1e-4f, w.Shape);
    }

    [TestCaseSource(nameof(Cases))]
    public void EveryCpuScheduleMatchesDirectLoops(ConvCase k)
    {
        // The CPU backend picks a schedule from the sizes; force each one so every path meets every geometry.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("CPU work schedules only.");
        var (x, w, b) = Inputs(k);
        var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
        var expectedY = ReferenceForward(k, x.ToArray(), w.ToArray(), b?.ToArray());
        var expectedGx = ReferenceBackwardInput(k, gy.ToArray(), w.ToArray());
        var expectedGw = ReferenceBackwardWeight(k, x.ToArray(), gy.ToArray());
        // Thread counts change how the per-thread schedule splits the batch (and so its tiles and partial sums);
        // narrow tiles cut even these small images into bands of rows.
        int saved = CpuParallel.MaxThreads, savedThreadColumns = Convolution.ThreadColumns, savedSharedColumns = Convolution.SharedColumns;
        try
        {
            foreach (var (threads, columns) in new[] { (saved, 0), (1, 0), (3, 0), (16, 0), (3, 24), (1, 7) })
            {
                CpuParallel.MaxThreads = threads;
                if (columns > 0) Convolution.ThreadColumns = Convolution.SharedColumns = columns;
                foreach (var schedule in Enum.GetValues<ConvSchedule>())
                    CheckSchedule(k, schedule, x, w, b, gy, expectedY, expectedGx, expectedGw);
            }
        }
        finally
        {
            CpuParallel.MaxThreads = saved;
            Convolution.ThreadColumns = savedThreadColumns;
            Convolution.SharedColumns = savedSharedColumns;
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ImplicitPassesMatchDirectLoops(ConvCase k)
    {
        // The CPU's im2col-free forward and weight-gradient passes take only deep single-group kernels; lower the
        // thresholds so that every single-group geometry here goes through them, and compare with the direct loops.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("A CPU kernel.");
        var (x, w, b) = Inputs(k);
        var expected = ReferenceForward(k, x.ToArray(), w.ToArray(), b?.ToArray());
        int savedDepth = ImplicitConvolution.MinDepth, savedWeightDepth = ImplicitConvolution.MinWeightDepth;
        int savedOutputs = ImplicitConvolution.MinOutputs, savedThreads = CpuParallel.MaxThreads;
        int savedChannels = ImplicitInputGradient.MinChannels, savedInputDepth = ImplicitInputGradient.MinOutputs;
        try
        {
            ImplicitConvolution.MinDepth = ImplicitConvolution.MinWeightDepth = 1;
            ImplicitConvolution.MinOutputs = 1;
            ImplicitInputGradient.MinChannels = ImplicitInputGradient.MinOutputs = 1;
            var g = ConvGeometry.Of(x.Shape, w.Shape, k.P);
            if (!ImplicitConvolution.Applies(g)) Assert.Ignore("Grouped or pointwise: the im2col path handles these.");
            Assert.That(ImplicitInputGradient.Applies(g), Is.True, "the per-tap input gradient");
            var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
            var expectedGw = ReferenceBackwardWeight(k, x.ToArray(), gy.ToArray());
            var expectedGx = ReferenceBackwardInput(k, gy.ToArray(), w.ToArray());
            foreach (int threads in new[] { savedThreads, 1, 3 })
            {
                CpuParallel.MaxThreads = threads;
                using var y = Tensor.Conv2d(x, w, b, k.P);
                Assert.DoesNotThrow(() => TensorAssert.Close(expected, y, 1e-4f, 1e-4f), $"{threads} threads");
                using var gw = Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P);
                Assert.DoesNotThrow(() => TensorAssert.Close(expectedGw, gw, 2e-4f, 1e-4f), $"weight gradient, {threads} threads");
                using var gx = Tensor.Conv2dBackwardInput(gy, w, x.Shape, k.P);
                Assert.DoesNotThrow(() => TensorAssert.Close(expectedGx, gx, 1e-4f, 1e-4f), $"input gradient, {threads} threads");
            }
        }
        finally
        {
            ImplicitConvolution.MinDepth = savedDepth;
            ImplicitConvolution.MinWeightDepth = savedWeightDepth;
            ImplicitConvolution.MinOutputs = savedOutputs;
            ImplicitInputGradient.MinChannels = savedChannels;
            ImplicitInputGradient.MinOutputs = savedInputDepth;
            CpuParallel.MaxThreads = savedThreads;
        }
    }

    [Test]
    public void ImplicitPassesCoverManyChannelBlocksAndTails()
    {
        // Output channels in several 16-wide blocks plus a partial one, pixel counts that leave every remainder of the
        // six-pixel (six-tap) blocks, padding and stride together: the shapes of a deep layer at small scale.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("A CPU kernel.");
        foreach (var (o, size, stride, pad) in new[] { (37, 7, 1, 1), (16, 5, 2, 1), (50, 9, 1, 0), (9, 4, 1, 2) })
        {
            var k = new ConvCase($"o={o}", 3, 20, size, size + 1, o, 3, 3, Conv2dParams.Square(stride, pad), true);
            var (x, w, b) = Inputs(k);
            var g = ConvGeometry.Of(x.Shape, w.Shape, k.P);
            Assert.That(ImplicitConvolution.Applies(g), Is.True, k.Name);
            using var y = Tensor.Conv2d(x, w, b, k.P);
            TensorAssert.Close(ReferenceForward(k, x.ToArray(), w.ToArray(), b?.ToArray()), y, 1e-4f, 1e-4f);
            var gy = Random(y.Shape, 7);
            using var gw = Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P);
            TensorAssert.Close(ReferenceBackwardWeight(k, x.ToArray(), gy.ToArray()), gw, 2e-4f, 1e-4f);
        }
    }

    [Test]
    public void FirstLayerPassesTakeTheImplicitPaths()
    {
        // Three input channels give only 27 taps: too few for the implicit forward pass, enough for its weight gradient.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("A CPU kernel.");
        // Its forward pass runs by rows of sixteen output pixels when the rows are that long and the stride along them is 1.
        if (!Fma.IsSupported) Assert.Ignore("Needs FMA.");
        var cases = new[]
        {
            new ConvCase("first layer", 5, 3, 14, 20, 32, 3, 3, Conv2dParams.Square(1, 1), true),
            new ConvCase("rows of 16, nine outputs", 3, 2, 9, 18, 9, 3, 3, Conv2dParams.Square(), true),
            new ConvCase("vertical stride 2, dilation 2", 2, 3, 11, 37, 8, 3, 3, new Conv2dParams(2, 1, 2, 2, 2, 2), false),
            new ConvCase("5x5, rows of 33", 2, 1, 8, 37, 9, 5, 5, Conv2dParams.Square(), true),
        };
        foreach (var k in cases)
        {
            var (x, w, b) = Inputs(k);
            var g = ConvGeometry.Of(x.Shape, w.Shape, k.P);
            Assert.That(ImplicitConvolution.Applies(g), Is.False, k.Name);
            Assert.That(ImplicitConvolution.AppliesByRows(g), Is.True, k.Name);
            Assert.That(ImplicitConvolution.AppliesToWeightGradient(g), Is.EqualTo(g.Rows >= ImplicitConvolution.MinWeightDepth), k.Name);
            using var y = Tensor.Conv2d(x, w, b, k.P);
            TensorAssert.Close(ReferenceForward(k, x.ToArray(), w.ToArray(), b?.ToArray()), y, 1e-4f, 1e-4f);
            var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
            using var gw = Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P);
            TensorAssert.Close(ReferenceBackwardWeight(k, x.ToArray(), gy.ToArray()), gw, 2e-4f, 1e-4f);
        }
    }

    [Test]
    public void InputGradientsWithoutColumnsCoverChannelBlocksAndTails()
    {
        // The per-tap input gradient at its own thresholds: input channels in several 16-wide panels plus a partial
        // one, runs of images whose pixel count leaves every remainder of the six-pixel blocks, stride, padding and
        // dilation; on 1 and 3 threads, so that runs and workers split the batch differently.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("A CPU kernel.");
        if (!Fma.IsSupported) Assert.Ignore("Needs FMA.");
        var cases = new[]
        {
            new ConvCase("37 channels, pad 1", 5, 37, 7, 8, ImplicitInputGradient.MinOutputs, 3, 3, Conv2dParams.Square(1, 1), false),
            new ConvCase("stride 2, 40 outputs", 7, 16, 9, 9, 40, 3, 3, Conv2dParams.Square(2, 1), false),
            new ConvCase("dilation 2, 2x3 kernel", 3, 20, 10, 11, 33, 2, 3, new Conv2dParams(1, 2, 1, 0, 2, 2), false),
            new ConvCase("CIFAR conv3 shape", 9, 64, 6, 6, 64, 3, 3, Conv2dParams.Square(), false),
        };
        int saved = CpuParallel.MaxThreads;
        try
        {
            foreach (var k in cases)
            {
                var (_, w, _) = Inputs(k);
                var g = new ConvGeometry(k.N, k.C, k.H, k.W, k.O, k.KH, k.KW, k.P);
                Assert.That(ImplicitInputGradient.Applies(g), Is.True, k.Name);
                var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
                var expected = ReferenceBackwardInput(k, gy.ToArray(), w.ToArray());
                foreach (int threads in new[] { 1, 3 })
                {
                    CpuParallel.MaxThreads = threads;
                    using var gx = Tensor.Conv2dBackwardInput(gy, w, new Shape(k.N, k.C, k.H, k.W), k.P);
                    Assert.DoesNotThrow(() => TensorAssert.Close(expected, gx, 1e-4f, 1e-4f), $"{k.Name}, {threads} threads");
                }
            }
        }
        finally
        {
            CpuParallel.MaxThreads = saved;
        }
    }

    [Test]
    public void FirstLayerInputGradientRunsAsAFlippedConvolution()
    {
        // One to three input channels: the input gradient is the convolution of the padded dY with the flipped kernel,
        // on the narrow row tile (three channels by 32 pixels); rows of 32 and longer, a last run that overlaps the one
        // before, padding and dilation. Forward passes with as few outputs take the same tile.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("A CPU kernel.");
        if (!Fma.IsSupported) Assert.Ignore("Needs FMA.");
        var cases = new[]
        {
            new ConvCase("CIFAR conv1 shape", 3, 3, 32, 32, 32, 3, 3, Conv2dParams.Square(), true),
            new ConvCase("one channel, pad 1, rows of 45", 2, 1, 9, 45, 8, 3, 3, Conv2dParams.Square(1, 1), true),
            new ConvCase("two channels, 5x3, dilation 2", 2, 2, 30, 40, 5, 5, 3, new Conv2dParams(1, 1, 2, 1, 2, 2), false),
        };
        foreach (var k in cases)
        {
            var (x, w, b) = Inputs(k);
            var g = ConvGeometry.Of(x.Shape, w.Shape, k.P);
            Assert.That(ImplicitInputGradient.Applies(g), Is.False, k.Name);
            Assert.That(ImplicitInputGradient.AppliesAsConvolution(g), Is.True, k.Name);
            var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
            using var gx = Tensor.Conv2dBackwardInput(gy, w, x.Shape, k.P);
            TensorAssert.Close(ReferenceBackwardInput(k, gy.ToArray(), w.ToArray()), gx, 1e-4f, 1e-4f);

            // The forward pass with the roles turned (k.C outputs from k.O channels, padded so that rows stay as long).
            var turned = new ConvCase(k.Name + ", turned", k.N, k.O, OutH(k), OutW(k), k.C, k.KH, k.KW,
                new Conv2dParams(1, 1, k.P.DilationH * (k.KH - 1) - k.P.PadH, k.P.DilationW * (k.KW - 1) - k.P.PadW, k.P.DilationH, k.P.DilationW), true);
            var (tx, tw, tb) = Inputs(turned);
            var tg = ConvGeometry.Of(tx.Shape, tw.Shape, turned.P);
            Assert.That(ImplicitConvolution.AppliesByRows(tg), Is.True, turned.Name);
            using var ty = Tensor.Conv2d(tx, tw, tb, turned.P);
            TensorAssert.Close(ReferenceForward(turned, tx.ToArray(), tw.ToArray(), tb?.ToArray()), ty, 1e-4f, 1e-4f);
        }
    }

    private void CheckSchedule(ConvCase k, ConvSchedule schedule, Tensor x, Tensor w, Tensor? b, Tensor gy,
        float[] expectedY, float[] expectedGx, float[] expectedGw)
    {
        string what = $"{schedule} on {CpuParallel.MaxThreads} threads, tiles of {Convolution.ThreadColumns}/{Convolution.SharedColumns} columns";
        var y = Tensor.Empty(gy.Shape, device);
        Convolution.Forward(x, w, b, k.P, y, schedule);
        Assert.DoesNotThrow(() => TensorAssert.Close(expectedY, y, 1e-4f, 1e-4f), what);
        var gx = Tensor.Empty(x.Shape, device);
        Convolution.BackwardInput(gy, w, k.P, gx, schedule);
        Assert.DoesNotThrow(() => TensorAssert.Close(expectedGx, gx, 1e-4f, 1e-4f), what);
        var gw = Tensor.Empty(w.Shape, device);
        Convolution.BackwardWeight(x, gy, k.P, gw, schedule);
        Assert.DoesNotThrow(() => TensorAssert.Close(expectedGw, gw, 2e-4f, 1e-4f), what);
    }

    [Test]
    public void RepeatedCallsGiveTheSameResult()
    {
        // Buffers come back from the pool holding old data; every pass must overwrite, never accumulate into them.
        var k = new ConvCase("repeat", 9, 3, 6, 6, 4, 3, 3, Conv2dParams.Square(1, 1), true);
        var (x, w, b) = Inputs(k);
        var gy = Random(new Shape(k.N, k.O, OutH(k), OutW(k)), 7);
        var y1 = Tensor.Conv2d(x, w, b, k.P).ToArray();
        var gx1 = Tensor.Conv2dBackwardInput(gy, w, x.Shape, k.P).ToArray();
        var gw1 = Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P).ToArray();
        for (int i = 0; i < 3; i++)
        {
            Assert.That(Tensor.Conv2d(x, w, b, k.P).ToArray(), Is.EqualTo(y1));
            Assert.That(Tensor.Conv2dBackwardInput(gy, w, x.Shape, k.P).ToArray(), Is.EqualTo(gx1));
            Assert.That(Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P).ToArray(), Is.EqualTo(gw1));
        }
    }

    [Test]
    public void NonContiguousInputsAreRead()
    {
        var k = new ConvCase("strided", 2, 3, 5, 6, 4, 3, 3, Conv2dParams.Square(1, 1), true);
        var (x, w, b) = Inputs(k);
        var xt = Random(new Shape(2, 3, 6, 5), 11).Transpose(2, 3);
        var expected = ReferenceForward(k, xt.ToArray(), w.ToArray(), b!.ToArray());
        TensorAssert.Close(expected, Tensor.Conv2d(xt, w, b, k.P), 1e-4f, 1e-4f);
        Assert.That(x.Shape, Is.EqualTo(xt.Shape));
    }

    private static IEnumerable<ConvCase> FiniteDifferenceCases()
    {
        yield return new("tiny strided dilated", 2, 2, 5, 4, 3, 3, 2, new Conv2dParams(2, 1, 1, 1, 1, 2), true);
        yield return new("tiny grouped", 1, 4, 4, 4, 2, 2, 2, Conv2dParams.Square(1, 1, 1, 2), false);
    }

    [TestCaseSource(nameof(FiniteDifferenceCases))]
    public void BackwardPassesMatchFiniteDifferences(ConvCase k)
    {
        // L(x, w) = sum(conv(x, w) * G) for a fixed random G; dL/dx and dL/dw are the two backward passes.
        var (x, w, b) = Inputs(k);
        var g = TensorAssert.RandomData(k.N * k.O * OutH(k) * OutW(k), 5);
        var gy = Tensor.FromArray(g, new Shape(k.N, k.O, OutH(k), OutW(k)), device);
        var gx = Tensor.Conv2dBackwardInput(gy, w, x.Shape, k.P).ToArray();
        var gw = Tensor.Conv2dBackwardWeight(x, gy, w.Shape, k.P).ToArray();

        double Loss(float[] xs, float[] ws)
        {
            var y = Tensor.Conv2d(Tensor.FromArray(xs, x.Shape, device), Tensor.FromArray(ws, w.Shape, device), b, k.P).ToArray();
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y[i] * g[i];
            return s;
        }

        const float eps = 0.05f;
        float[] xv = x.ToArray(), wv = w.ToArray();
        for (int i = 0; i < xv.Length; i++)
            Assert.That(gx[i], Is.EqualTo(CentralDifference(xv, i, eps, v => Loss(v, wv))).Within(2e-3), $"dL/dx[{i}]");
        for (int i = 0; i < wv.Length; i++)
            Assert.That(gw[i], Is.EqualTo(CentralDifference(wv, i, eps, v => Loss(xv, v))).Within(2e-3), $"dL/dw[{i}]");
    }

    private static double CentralDifference(float[] values, int i, float eps, Func<float[], double> f)
    {
        var v = (float[])values.Clone();
        v[i] = values[i] + eps;
        double up = f(v);
        v[i] = values[i] - eps;
        double down = f(v);
        return (up - down) / (2 * eps);
    }

    public static IEnumerable<ConvCase> ColumnCases()
    {
        yield return new("plain", 2, 3, 5, 6, 1, 3, 3, Conv2dParams.Square(), false);
        yield return new("padded strided", 2, 2, 7, 6, 1, 3, 2, new Conv2dParams(2, 3, 1, 2), false);
        yield return new("dilated padded", 1, 2, 8, 7, 1, 2, 3, new Conv2dParams(1, 2, 2, 1, 3, 2), false);
        yield return new("1x1", 2, 3, 4, 3, 1, 1, 1, Conv2dParams.Square(), false);
        yield return new("wide rows", 1, 1, 3, 40, 1, 1, 3, Conv2dParams.Square(1, 1), false);
        yield return new("stride 2, wide rows", 2, 2, 5, 37, 1, 3, 3, Conv2dParams.Square(2, 2), false);
    }

    [TestCaseSource(nameof(ColumnCases))]
    public void Im2ColMatchesDirectUnfold(ConvCase k)
    {
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 3);
        var cols = x.Im2Col(k.KH, k.KW, k.P);
        TensorAssert.Close(ReferenceIm2Col(k, x.ToArray()), cols, 0f, 0f, new Shape(k.N, k.C * k.KH * k.KW, OutH(k) * OutW(k)));
    }

    [TestCaseSource(nameof(ColumnCases))]
    public void Col2ImIsTheAdjointOfIm2Col(ConvCase k)
    {
        // <im2col(x), c> == <x, col2im(c)> for every x and c.
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 3);
        var c = Random(new Shape(k.N, k.C * k.KH * k.KW, OutH(k) * OutW(k)), 4);
        var folded = c.Col2Im(x.Shape, k.KH, k.KW, k.P);
        Assert.That(folded.Shape, Is.EqualTo(x.Shape));
        double left = Dot(x.Im2Col(k.KH, k.KW, k.P).ToArray(), c.ToArray());
        double right = Dot(x.ToArray(), folded.ToArray());
        Assert.That(right, Is.EqualTo(left).Within(1e-4 * (1 + Math.Abs(left))));
        // And col2im overwrites: a second fold into recycled buffers gives the same values.
        Assert.That(c.Col2Im(x.Shape, k.KH, k.KW, k.P).ToArray(), Is.EqualTo(folded.ToArray()));
    }

    [Test]
    public void NewParamsAreTheUsualDefaults()
    {
        Assert.That(new Conv2dParams(), Is.EqualTo(Conv2dParams.Square()));
        Assert.That(new Conv2dParams { PadH = 1, PadW = 1 }, Is.EqualTo(Conv2dParams.Square(1, 1)));
        var x = Random(new Shape(1, 2, 4, 4), 1);
        using var y = Tensor.Conv2d(x, Random(new Shape(3, 2, 3, 3), 2), null, new Conv2dParams());
        Assert.That(y.Shape, Is.EqualTo(new Shape(1, 3, 2, 2)));
    }

    [Test]
    public void ErrorsNameTheOpAndShapes()
    {
        var x = Random(new Shape(1, 4, 5, 5), 1);
        var rank3 = Random(new Shape(1, 3, 5), 1);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(rank3, Random(new Shape(2, 3, 3, 3), 2), null, Conv2dParams.Square()))!;
        Assert.That(e.Message, Does.Contain("Conv2d").And.Contain("[1, 3, 5]"));

        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Random(new Shape(2, 3, 3, 3), 2), null, Conv2dParams.Square(1, 0, 1, 2)))!;
        Assert.That(e.Message, Does.Contain("Conv2d").And.Contain("[2, 3, 3, 3]").And.Contain("[1, 4, 5, 5]").And.Contain("groups=2"));

        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Random(new Shape(3, 2, 3, 3), 2), null, Conv2dParams.Square(1, 0, 1, 2)))!;
        Assert.That(e.Message, Does.Contain("Conv2d").And.Contain("groups=2"));

        var small = Random(new Shape(1, 1, 2, 2), 1);
        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(small, Random(new Shape(1, 1, 3, 3), 2), null, Conv2dParams.Square()))!;
        Assert.That(e.Message, Does.Contain("Conv2d").And.Contain("3x3").And.Contain("[1, 1, 2, 2]"));

        // With a stride the kernel must still fit: (2 - 3) / 2 rounds to 0 in integer division, which must not yield one output.
        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(small, Random(new Shape(1, 1, 3, 3), 2), null, Conv2dParams.Square(2)))!;
        Assert.That(e.Message, Does.Contain("Conv2d").And.Contain("[1, 1, 2, 2]"));

        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Random(new Shape(2, 4, 3, 3), 2), Random(new Shape(3), 3), Conv2dParams.Square()))!;
        Assert.That(e.Message, Does.Contain("Conv2d").And.Contain("bias").And.Contain("[3]"));

        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2dBackwardInput(Random(new Shape(1, 2, 4, 4), 1), Random(new Shape(2, 4, 3, 3), 2), x.Shape, Conv2dParams.Square()))!;
        Assert.That(e.Message, Does.Contain("Conv2dBackwardInput").And.Contain("[1, 2, 3, 3]").And.Contain("[1, 2, 4, 4]"));

        e = Assert.Throws<ArgumentException>(() => x.Im2Col(6, 6, Conv2dParams.Square()))!;
        Assert.That(e.Message, Does.Contain("Im2Col").And.Contain("[1, 4, 5, 5]"));
    }

    private (Tensor X, Tensor W, Tensor? B) Inputs(ConvCase k)
    {
        var x = Random(new Shape(k.N, k.C, k.H, k.W), 1);
        var w = Random(new Shape(k.O, k.C / k.P.Groups, k.KH, k.KW), 2);
        var b = k.Bias ? Random(new Shape(k.O), 3) : null;
        return (x, w, b);
    }

    private static int OutH(ConvCase k) => k.P.OutputHeight(k.H, k.KH);
    private static int OutW(ConvCase k) => k.P.OutputWidth(k.W, k.KW);

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    // ---- Scalar references: the definition of cross-correlation, one output (or one input) at a time. ----

    private static float[] ReferenceForward(ConvCase k, float[] x, float[] w, float[]? b)
    {
        int oh = OutH(k), ow = OutW(k), cg = k.C / k.P.Groups, og = k.O / k.P.Groups;
        var y = new float[k.N * k.O * oh * ow];
        for (int n = 0; n < k.N; n++)
            for (int o = 0; o < k.O; o++)
                for (int r = 0; r < oh; r++)
                    for (int c = 0; c < ow; c++)
                    {
                        double s = b?[o] ?? 0;
                        int group = o / og;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < k.KH; i++)
                                for (int j = 0; j < k.KW; j++)
                                {
                                    int ih = r * k.P.StrideH - k.P.PadH + i * k.P.DilationH;
                                    int iw = c * k.P.StrideW - k.P.PadW + j * k.P.DilationW;
                                    if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                                    s += x[((n * k.C + group * cg + ci) * k.H + ih) * k.W + iw] * w[((o * cg + ci) * k.KH + i) * k.KW + j];
                                }
                        y[((n * k.O + o) * oh + r) * ow + c] = (float)s;
                    }
        return y;
    }

    private static float[] ReferenceBackwardInput(ConvCase k, float[] gy, float[] w)
    {
        int oh = OutH(k), ow = OutW(k), cg = k.C / k.P.Groups, og = k.O / k.P.Groups;
        var gx = new double[k.N * k.C * k.H * k.W];
        for (int n = 0; n < k.N; n++)
            for (int o = 0; o < k.O; o++)
                for (int r = 0; r < oh; r++)
                    for (int c = 0; c < ow; c++)
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < k.KH; i++)
                                for (int j = 0; j < k.KW; j++)
                                {
                                    int ih = r * k.P.StrideH - k.P.PadH + i * k.P.DilationH;
                                    int iw = c * k.P.StrideW - k.P.PadW + j * k.P.DilationW;
                                    if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                                    gx[((n * k.C + o / og * cg + ci) * k.H + ih) * k.W + iw] +=
                                        gy[((n * k.O + o) * oh + r) * ow + c] * w[((o * cg + ci) * k.KH + i) * k.KW + j];
                                }
        return gx.Select(v => (float)v).ToArray();
    }

    private static float[] ReferenceBackwardWeight(ConvCase k, float[] x, float[] gy)
    {
        int oh = OutH(k), ow = OutW(k), cg = k.C / k.P.Groups, og = k.O / k.P.Groups;
        var gw = new float[k.O * cg * k.KH * k.KW];
        for (int o = 0; o < k.O; o++)
            for (int ci = 0; ci < cg; ci++)
                for (int i = 0; i < k.KH; i++)
                    for (int j = 0; j < k.KW; j++)
                    {
                        double s = 0;
                        for (int n = 0; n < k.N; n++)
                            for (int r = 0; r < oh; r++)
                                for (int c = 0; c < ow; c++)
                                {
                                    int ih = r * k.P.StrideH - k.P.PadH + i * k.P.DilationH;
                                    int iw = c * k.P.StrideW - k.P.PadW + j * k.P.DilationW;
                                    if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                                    s += x[((n * k.C + o / og * cg + ci) * k.H + ih) * k.W + iw] * gy[((n * k.O + o) * oh + r) * ow + c];
                                }
                        gw[((o * cg + ci) * k.KH + i) * k.KW + j] = (float)s;
                    }
        return gw;
    }

    private static float[] ReferenceIm2Col(ConvCase k, float[] x)
    {
        int oh = OutH(k), ow = OutW(k), rows = k.C * k.KH * k.KW;
        var cols = new float[k.N * rows * oh * ow];
        for (int n = 0; n < k.N; n++)
            for (int ch = 0; ch < k.C; ch++)
                for (int i = 0; i < k.KH; i++)
                    for (int j = 0; j < k.KW; j++)
                        for (int r = 0; r < oh; r++)
                            for (int c = 0; c < ow; c++)
                            {
                                int ih = r * k.P.StrideH - k.P.PadH + i * k.P.DilationH;
                                int iw = c * k.P.StrideW - k.P.PadW + j * k.P.DilationW;
                                int row = (ch * k.KH + i) * k.KW + j;
                                cols[(n * rows + row) * oh * ow + r * ow + c] =
                                    ih < 0 || ih >= k.H || iw < 0 || iw >= k.W ? 0f : x[((n * k.C + ch) * k.H + ih) * k.W + iw];
                            }
        return cols;
    }
}
