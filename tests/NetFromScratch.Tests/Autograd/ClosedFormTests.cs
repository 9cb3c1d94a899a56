using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>Gradients compared with formulas worked out by hand and written as plain loops.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ClosedFormTests(Device device)
{
    private Tensor T(float[] values, params int[] shape) => Tensor.FromArray(values, shape, device);

    [Test]
    public void MatMulGradientsAreDcTimesBTransposeAndATransposeTimesDc()
    {
        const int m = 3, k = 4, n = 2;
        var a = TensorAssert.RandomData(m * k, 1);
        var b = TensorAssert.RandomData(k * n, 2);
        var dc = TensorAssert.RandomData(m * n, 3);
        var va = new Variable(T(a, m, k), requiresGrad: true);
        var vb = new Variable(T(b, k, n), requiresGrad: true);
        va.MatMul(vb).Backward(T(dc, m, n));

        var dA = new float[m * k];
        var dB = new float[k * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++)
                {
                    dA[i * k + p] += dc[i * n + j] * b[p * n + j];
                    dB[p * n + j] += a[i * k + p] * dc[i * n + j];
                }
        TensorAssert.Close(dA, va.Grad!, 1e-5f);
        TensorAssert.Close(dB, vb.Grad!, 1e-5f);
    }

    [Test]
    public void BroadcastBatchMatMulSumsTheWeightGradientOverTheBatch()
    {
        var x = TensorAssert.RandomData(2 * 3 * 4, 4);
        var w = TensorAssert.RandomData(4 * 5, 5);
        var vx = new Variable(T(x, 2, 3, 4), requiresGrad: true);
        var vw = new Variable(T(w, 4, 5), requiresGrad: true);
        vx.MatMul(vw).Sum().Backward();
        // d(sum)/dW[p, j] = sum over batch and rows of X[.., p].
        var expected = new float[4 * 5];
        for (int r = 0; r < 6; r++)
            for (int p = 0; p < 4; p++)
                for (int j = 0; j < 5; j++) expected[p * 5 + j] += x[r * 4 + p];
        TensorAssert.Close(expected, vw.Grad!, 1e-5f);
    }

    [Test]
    public void SoftmaxCrossEntropyGradientIsSoftmaxMinusOneHotOverN()
    {
        const int n = 3, c = 4;
        var z = TensorAssert.RandomData(n * c, 6).Select(v => v * 3f).ToArray();
        var targets = new float[] { 2, 0, 3 };
        var logits = new Variable(T(z, n, c), requiresGrad: true);
        var loss = F.CrossEntropy(logits, T(targets, n));
        loss.Backward();

        double expectedLoss = 0;
        var expectedGrad = new float[n * c];
        for (int i = 0; i < n; i++)
        {
            double max = z.Skip(i * c).Take(c).Max(), sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(z[i * c + j] - max);
            for (int j = 0; j < c; j++)
            {
                double p = Math.Exp(z[i * c + j] - max) / sum;
                expectedGrad[i * c + j] = (float)((p - (j == (int)targets[i] ? 1 : 0)) / n);
            }
            expectedLoss -= (z[i * c + (int)targets[i]] - max - Math.Log(sum)) / n;
        }
        Assert.That(loss.Item(), Is.EqualTo(expectedLoss).Within(1e-5));
        TensorAssert.Close(expectedGrad, logits.Grad!, 1e-6f);
        Assert.That(loss.GradFn!.Rule, Does.Contain("softmax(Z) - onehot(T)"));
    }

    [TestCase(0f, false, Reduction.Mean)]
    [TestCase(0.2f, true, Reduction.Mean)]
    [TestCase(0f, true, Reduction.Sum)]
    [TestCase(0f, false, Reduction.None)]
    public void FusedCrossEntropyMatchesTheCompositeNllOfLogSoftmax(float smoothing, bool weighted, Reduction reduction)
    {
        var z = TensorAssert.RandomData(5 * 3, 7).Select(v => v * 2f).ToArray();
        var targets = T([0, 2, 1, 2, 0], 5);
        var weight = weighted ? T([0.5f, 1f, 2f], 3) : null;
        var fusedIn = new Variable(T(z, 5, 3), requiresGrad: true);
        var compositeIn = new Variable(T(z, 5, 3), requiresGrad: true);
        var fused = F.CrossEntropy(fusedIn, targets, smoothing, weight, reduction);

        // Label smoothing written out: (1 - s) * NLL + s * (mean over classes of the weighted -log p), both over the target weights.
        var logp = compositeIn.LogSoftmax(1);
        var composite = F.NllLoss(logp, targets, weight, reduction);
        if (smoothing > 0f)
        {
            var classWeights = new Variable(weight ?? Tensor.Ones(new Shape(3), device));
            var uniform = -(logp * classWeights).Sum(1) / 3f;
            var denominator = weight is null ? 5f : new[] { 0.5f, 2f, 1f, 2f, 0.5f }.Sum();
            composite = composite * (1f - smoothing) + uniform.Sum() * (smoothing / denominator);
        }
        var gradient = reduction == Reduction.None ? TensorAssert.RandomData(5, 8) : null;
        fused.Backward(gradient is null ? null : T(gradient, 5));
        composite.Backward(gradient is null ? null : T(gradient, 5));
        TensorAssert.Close(composite.Data.ToArray(), fused.Data, 1e-5f, 1e-5f);
        TensorAssert.Close(compositeIn.Grad!.ToArray(), fusedIn.Grad!, 1e-6f, 1e-5f);
    }

    [Test]
    public void CrossEntropyRejectsATargetOutsideTheClasses()
    {
        var logits = new Variable(T(new float[6], 2, 3), requiresGrad: true);
        var e = Assert.Throws<ArgumentException>(() => F.CrossEntropy(logits, T([1, 3], 2)))!;
        Assert.That(e.Message, Does.Contain("CrossEntropy").And.Contain("target 3").And.Contain("position 1"));
        var s = Assert.Throws<ArgumentException>(() => F.CrossEntropy(logits, T([1, 0, 1], 3)))!;
        Assert.That(s.Message, Does.Contain("[2]").And.Contain("[3]"));
    }

    [Test]
    public void BatchNormUpdatesRunningStatisticsWithTheUnbiasedVariance()
    {
        // Channel 0 sees 1, 2, 3, 4 (mean 2.5, unbiased variance 5/3); channel 1 sees 0, 0, 2, 2 (mean 1, variance 4/3).
        var x = new Variable(T([1, 2, 0, 0, 3, 4, 2, 2], 2, 2, 2), requiresGrad: true);
        var runningMean = Tensor.Zeros(new Shape(2), device);
        var runningVar = Tensor.Ones(new Shape(2), device);
        var y = F.BatchNorm(x, runningMean, runningVar, null, null, training: true, momentum: 0.1f);
        TensorAssert.Close([0.25f, 0.1f], runningMean, 1e-6f);
        TensorAssert.Close([0.9f + 0.1f * 5f / 3f, 0.9f + 0.1f * 4f / 3f], runningVar, 1e-6f);

        // Normalized with the biased batch variance: channel 0 has std sqrt(1.25).
        float s0 = MathF.Sqrt(1.25f + 1e-5f);
        TensorAssert.Close([-1.5f / s0, -0.5f / s0, -1f / MathF.Sqrt(1f + 1e-5f), -1f / MathF.Sqrt(1f + 1e-5f), 0.5f / s0, 1.5f / s0, 1f / MathF.Sqrt(1f + 1e-5f), 1f / MathF.Sqrt(1f + 1e-5f)], y.Data, 1e-5f);

        // Evaluation uses the running statistics.
        var e = F.BatchNorm(x, runningMean, runningVar, null, null, training: false);
        float rs = 1f / MathF.Sqrt(0.9f + 0.5f / 3f + 1e-5f);
        Assert.That(e.Data[0, 0, 0], Is.EqualTo((1f - 0.25f) * rs).Within(1e-5f));
    }

    [Test]
    public void BatchNormGradientOfTheSumIsZero()
    {
        // Normalized values sum to zero whatever the input, so d(sum Y)/dX = 0 in training mode.
        var x = new Variable(T(TensorAssert.RandomData(12, 9), 4, 3), requiresGrad: true);
        F.BatchNorm(x, null, null, null, null, training: true).Sum().Backward();
        TensorAssert.Close(new float[12], x.Grad!, 1e-5f);
    }

    [Test]
    public void DropoutKeepsItsMaskForBackward()
    {
        var x = new Variable(Tensor.Ones(new Shape(200), device), requiresGrad: true);
        var y = F.Dropout(x, 0.25f, training: true, new Generator(42));
        y.Sum().Backward();
        var values = y.Data.ToArray();
        Assert.That(values.All(v => v == 0f || Math.Abs(v - 4f / 3f) < 1e-6f), Is.True);
        Assert.That(values.Count(v => v == 0f), Is.InRange(25, 75));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(values), "dX = dY * mask, and the mask equals Y for X = 1");
        Assert.That(F.Dropout(x, 0.25f, training: false), Is.SameAs(x));
    }

    [Test]
    public void SumAndMeanSpreadTheGradientEvenly()
    {
        var x = new Variable(T(new float[6], 2, 3), requiresGrad: true);
        x.Mean(1).Backward(T([3f, 6f], 2));
        TensorAssert.Close([1f, 1f, 1f, 2f, 2f, 2f], x.Grad!);
    }

    [Test]
    public void MaxOverTiesSplitsTheGradient()
    {
        var x = new Variable(T([1f, 3f, 3f, 0f], 4), requiresGrad: true);
        x.Max().Backward();
        TensorAssert.Close([0f, 0.5f, 0.5f, 0f], x.Grad!);
    }

    [Test]
    public void MaxWithIndexSendsTheGradientToTheFirstMaximum()
    {
        var x = new Variable(T([1f, 3f, 3f, 0f, 5f, 2f], 2, 3), requiresGrad: true);
        var (values, indices) = x.MaxWithIndex(1);
        TensorAssert.Close([1f, 1f], indices);
        values.Backward(T([10f, 20f], 2));
        TensorAssert.Close([0f, 10f, 0f, 0f, 20f, 0f], x.Grad!);
    }

    [Test]
    public void ReluGradientAtZeroIsZero()
    {
        var x = new Variable(T([-1f, 0f, 2f], 3), requiresGrad: true);
        x.Relu().Sum().Backward();
        TensorAssert.Close([0f, 0f, 1f], x.Grad!);
    }

    [Test]
    public void SliceGradientLandsInTheSlicedPositions()
    {
        var x = new Variable(T(new float[10], 2, 5), requiresGrad: true);
        x.Slice(1, 1, null, 2).Backward(T([1f, 2f, 3f, 4f], 2, 2));
        TensorAssert.Close([0f, 1f, 0f, 2f, 0f, 0f, 3f, 0f, 4f, 0f], x.Grad!);
    }

    [Test]
    public void ExpandGradientSumsTheCopies()
    {
        var x = new Variable(T([1f, 2f], 2, 1), requiresGrad: true);
        x.Expand(3, 2, 4).Sum().Backward();
        TensorAssert.Close([12f, 12f], x.Grad!);
    }

    [Test]
    public void LinearIsXTimesWTransposePlusB()
    {
        var x = new Variable(T([1f, 2f], 1, 2), requiresGrad: true);
        var w = new Variable(T([1f, 0f, 0f, 1f, 1f, 1f], 3, 2), requiresGrad: true);
        var b = new Variable(T([0.5f, 0f, -1f], 3), requiresGrad: true);
        var y = F.Linear(x, w, b);
        TensorAssert.Close([1.5f, 2f, 2f], y.Data);
        y.Sum().Backward();
        TensorAssert.Close([2f, 2f], x.Grad!);
        TensorAssert.Close([1f, 2f, 1f, 2f, 1f, 2f], w.Grad!);
        TensorAssert.Close([1f, 1f, 1f], b.Grad!);
    }
}
