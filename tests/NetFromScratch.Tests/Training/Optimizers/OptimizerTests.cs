using NetFromScratch.Autograd;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Tests.Training.Optimizers;

/// <summary>
/// Each optimizer against PyTorch's update formula, written out below as plain double-precision loops (the
/// pseudo-code of torch.optim's documentation), over several steps with changing gradients, plus single steps small
/// enough to do by hand. Runs on the fused CPU loops and on the composed Tensor-op path (a non-contiguous parameter).
/// </summary>
[TestFixture(false)]
[TestFixture(true)]
public class OptimizerTests(bool composed)
{
    private const int Rows = 3, Cols = 7; // 21 elements: a SIMD body and a scalar tail

    /// <summary>A parameter holding <paramref name="values"/>; in the composed case a transposed view, which the fused loops do not take.</summary>
    private Variable MakeParameter(float[] values)
    {
        if (!composed) return new Variable(Tensor.FromArray(values, new Shape(Rows, Cols)), requiresGrad: true);
        // Store the transpose so that the [Rows, Cols] view reads the same values in the same order.
        var t = new float[values.Length];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++) t[j * Rows + i] = values[i * Cols + j];
        var view = Tensor.FromArray(t, new Shape(Cols, Rows)).T;
        Assert.That(view.IsContiguous, Is.False);
        return new Variable(view, requiresGrad: true);
    }

    private static float[] Gradient(int step) => TensorAssert.RandomData(Rows * Cols, 100 + step).Select(x => 2 * x).ToArray();

    private static double[] ToDouble(float[] a) => a.Select(x => (double)x).ToArray();

    /// <summary>Runs <paramref name="steps"/> steps of the optimizer and of the reference and compares the parameters after each.</summary>
    private void Compare(Func<Variable, Optimizer> create, Action<double[], double[], int> reference, int steps = 4)
    {
        var initial = TensorAssert.RandomData(Rows * Cols, 5);
        var p = MakeParameter(initial);
        var opt = create(p);
        var expected = ToDouble(initial);
        for (int t = 1; t <= steps; t++)
        {
            var g = Gradient(t);
            p.Grad = Tensor.FromArray(g, new Shape(Rows, Cols));
            opt.Step();
            reference(expected, ToDouble(g), t);
            TensorAssert.Close(expected.Select(x => (float)x).ToArray(), p.Data, atol: 2e-6f, rtol: 2e-5f);
        }
    }

    [TestCase(0.0, 0.0, 0.0, false)]
    [TestCase(0.9, 0.0, 0.0, false)]
    [TestCase(0.9, 0.0, 0.01, true)]
    [TestCase(0.8, 0.3, 0.05, false)]
    public void SgdMatchesPyTorch(double momentum, double dampening, double wd, bool nesterov)
    {
        const double lr = 0.1;
        double[]? buf = null;
        Compare(p => new SGD([p], lr, momentum, dampening, wd, nesterov), (w, g, t) =>
        {
            for (int i = 0; i < w.Length; i++)
            {
                double d = g[i] + wd * w[i];
                if (momentum != 0)
                {
                    buf ??= new double[w.Length];
                    buf[i] = t == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                w[i] -= lr * d;
            }
        });
    }

    [TestCase(0.0, false)]
    [TestCase(0.05, false)]
    [TestCase(0.0, true)]
    public void AdamMatchesPyTorch(double wd, bool amsgrad)
    {
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var m = new double[Rows * Cols];
        var v = new double[Rows * Cols];
        var vmax = new double[Rows * Cols];
        Compare(p => new Adam([p], lr, b1, b2, eps, wd, amsgrad), (w, g, t) =>
        {
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                vmax[i] = Math.Max(vmax[i], v[i]);
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.Pow(b2, t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        });
    }

    [Test]
    public void AdamWDecaysDecoupled()
    {
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        var m = new double[Rows * Cols];
        var v = new double[Rows * Cols];
        Compare(p => new AdamW([p], lr, b1, b2, eps, wd), (w, g, t) =>
        {
            for (int i = 0; i < w.Length; i++)
            {
                w[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v[i] / (1 - Math.Pow(b2, t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        });
    }

    [TestCase(0.0, 0.0, false)]
    [TestCase(0.9, 0.0, true)]
    [TestCase(0.5, 0.01, true)]
    [TestCase(0.0, 0.01, true)]
    public void RmsPropMatchesPyTorch(double momentum, double wd, bool centered)
    {
        const double lr = 0.01, alpha = 0.99, eps = 1e-8;
        var sq = new double[Rows * Cols];
        var ga = new double[Rows * Cols];
        var buf = new double[Rows * Cols];
        Compare(p => new RMSprop([p], lr, alpha, eps, wd, momentum, centered), (w, g, t) =>
        {
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
                double avg;
                if (centered)
                {
                    ga[i] = alpha * ga[i] + (1 - alpha) * gi;
                    avg = Math.Sqrt(sq[i] - ga[i] * ga[i]) + eps;
                }
                else avg = Math.Sqrt(sq[i]) + eps;
                if (momentum > 0)
                {
                    buf[i] = momentum * buf[i] + gi / avg;
                    w[i] -= lr * buf[i];
                }
                else w[i] -= lr * gi / avg;
            }
        });
    }

    [TestCase(0.0, 0.0, 0.0)]
    [TestCase(0.01, 0.02, 0.1)]
    public void AdagradMatchesPyTorch(double lrDecay, double wd, double initial)
    {
        const double lr = 0.1, eps = 1e-10;
        double[]? sum = null;
        Compare(p => new Adagrad([p], lr, lrDecay, wd, initial, eps), (w, g, t) =>
        {
            sum ??= Enumerable.Repeat(initial, w.Length).ToArray();
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                sum[i] += gi * gi;
                w[i] -= clr * gi / (Math.Sqrt(sum[i]) + eps);
            }
        });
    }

    // ---- steps worked out by hand (p = 1) ---------------------------------------------------------------------

    private float[] HandSteps(Func<Variable, Optimizer> create, params float[] gradients)
    {
        var p = new Variable(Tensor.FromArray(1f), requiresGrad: true);
        var opt = create(p);
        var values = new List<float>();
        foreach (float g in gradients)
        {
            p.Grad = Tensor.FromArray([g], p.Shape);
            opt.Step();
            values.Add(p.Data.ToArray()[0]);
        }
        return values.ToArray();
    }

    [Test]
    public void SgdMomentumByHand()
    {
        // buf = 1 -> p = 1 - 0.1 = 0.9; buf = 0.9*1 + 1 = 1.9 -> p = 0.9 - 0.19 = 0.71.
        Assert.That(HandSteps(p => new SGD([p], lr: 0.1, momentum: 0.9), 1, 1), Is.EqualTo(new[] { 0.9f, 0.71f }).Within(1e-6f));
        // Nesterov: d = 1 + 0.9*1 = 1.9 -> 0.81; buf = 1.9, d = 1 + 0.9*1.9 = 2.71 -> 0.81 - 0.271 = 0.539.
        Assert.That(HandSteps(p => new SGD([p], lr: 0.1, momentum: 0.9, nesterov: true), 1, 1), Is.EqualTo(new[] { 0.81f, 0.539f }).Within(1e-6f));
        // Weight decay 0.5: d = 1 + 0.5*1 = 1.5 -> p = 1 - 0.15 = 0.85.
        Assert.That(HandSteps(p => new SGD([p], lr: 0.1, weightDecay: 0.5), 1), Is.EqualTo(new[] { 0.85f }).Within(1e-6f));
    }

    [Test]
    public void AdamFirstStepIsLearningRateTimesSignByHand()
    {
        // m = 0.2, v = 0.004; bias-corrected m = 2, v = 4: p = 1 - 0.1 * 2 / (2 + 1e-8) = 0.9.
        Assert.That(HandSteps(p => new Adam([p], lr: 0.1), 2), Is.EqualTo(new[] { 0.9f }).Within(1e-6f));
        // AdamW: p = 1 * (1 - 0.1*0.1) = 0.99, then the same step of 0.1: 0.89.
        Assert.That(HandSteps(p => new AdamW([p], lr: 0.1, weightDecay: 0.1), 2), Is.EqualTo(new[] { 0.89f }).Within(1e-6f));
    }

    [Test]
    public void RmsPropCenteredMomentumByHand()
    {
        // sq = 0.01, ga = 0.01, avg = sqrt(0.01 - 0.0001) = 0.0994987; buf = 1 / avg = 10.050378; p = 1 - 0.01 * buf = 0.8994962.
        Assert.That(HandSteps(p => new RMSprop([p], lr: 0.01, momentum: 0.9, centered: true), 1), Is.EqualTo(new[] { 0.8994962f }).Within(1e-6f));
    }

    [Test]
    public void AdagradByHand()
    {
        // sum = 4, p = 1 - 0.1 * 2 / 2 = 0.9; sum = 8, p = 0.9 - 0.1 * 2 / sqrt(8) = 0.8292893.
        Assert.That(HandSteps(p => new Adagrad([p], lr: 0.1), 2, 2), Is.EqualTo(new[] { 0.9f, 0.8292893f }).Within(1e-6f));
    }
}
