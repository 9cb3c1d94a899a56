using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// Convolution, im2col/col2im, pooling and batch-norm statistics on the simulator against plain loops written
/// here from the definitions. Tolerance 1e-5: the device sums in float in a different order.
/// </summary>
public class ConvolutionKernelTests
{
    private static readonly Device Sim = GpuDevices.Simulator();

    private static Tensor On(Device d, float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape), d);

    public static IEnumerable<TestCaseData> Geometries()
    {
        // n, c, h, w, o, kh, kw, params
        yield return new TestCaseData(2, 3, 7, 6, 4, 3, 3, Conv2dParams.Square()).SetName("Plain3x3");
        yield return new TestCaseData(2, 4, 9, 8, 6, 3, 2, new Conv2dParams(2, 1, 1, 2, 2, 1, 2)).SetName("StridedPaddedDilatedGrouped");
        yield return new TestCaseData(3, 4, 5, 5, 2, 1, 1, Conv2dParams.Square()).SetName("Pointwise");
        yield return new TestCaseData(1, 6, 6, 7, 6, 3, 3, Conv2dParams.Square(padding: 1, groups: 6)).SetName("Depthwise");
        yield return new TestCaseData(2, 2, 5, 5, 3, 5, 5, Conv2dParams.Square(stride: 3, padding: 2)).SetName("KernelAsLargeAsInput");
    }

    [TestCaseSource(nameof(Geometries))]
    public void Conv2dForwardAndBothGradientsMatchTheDefinition(int n, int c, int h, int w, int o, int kh, int kw, Conv2dParams p)
    {
        int cg = c / p.Groups, oh = p.OutputHeight(h, kh), ow = p.OutputWidth(w, kw);
        var x = TensorAssert.RandomData(n * c * h * w, 1);
        var wt = TensorAssert.RandomData(o * cg * kh * kw, 2);
        var bias = TensorAssert.RandomData(o, 3);
        var gy = TensorAssert.RandomData(n * o * oh * ow, 4);
        var (y, gx, gw) = Reference(x, wt, bias, gy, n, c, h, w, o, kh, kw, p);

        var xs = On(Sim, x, n, c, h, w);
        var ws = On(Sim, wt, o, cg, kh, kw);
        var gys = On(Sim, gy, n, o, oh, ow);
        TensorAssert.Close(y, Tensor.Conv2d(xs, ws, On(Sim, bias, o), p), 1e-5f, 1e-5f);
        TensorAssert.Close(gx, Tensor.Conv2dBackwardInput(gys, ws, xs.Shape, p), 1e-5f, 1e-5f);
        TensorAssert.Close(gw, Tensor.Conv2dBackwardWeight(xs, gys, ws.Shape, p), 1e-5f, 1e-5f);
    }

    [Test]
    public void ConvolutionInChunksOfImagesGivesTheSameResult()
    {
        // A column budget of one image forces one chunk per image (and accumulation of the weight gradient across chunks).
        var device = GpuDevices.CreateSimulator(4, 1, "ilgpu-cpu-chunked");
        using var owner = (GpuBackend)device.Backend;
        owner.ColumnBudget = 1;
        int n = 3, c = 2, h = 5, w = 6, o = 3;
        var p = Conv2dParams.Square(padding: 1);
        var x = TensorAssert.RandomData(n * c * h * w, 5);
        var wt = TensorAssert.RandomData(o * c * 9, 6);
        var gy = TensorAssert.RandomData(n * o * h * w, 7);
        var (y, gx, gw) = Reference(x, wt, new float[o], gy, n, c, h, w, o, 3, 3, p);
        var xs = On(device, x, n, c, h, w);
        var ws = On(device, wt, o, c, 3, 3);
        var gys = On(device, gy, n, o, h, w);
        TensorAssert.Close(y, Tensor.Conv2d(xs, ws, null, p), 1e-5f, 1e-5f);
        TensorAssert.Close(gx, Tensor.Conv2dBackwardInput(gys, ws, xs.Shape, p), 1e-5f, 1e-5f);
        TensorAssert.Close(gw, Tensor.Conv2dBackwardWeight(xs, gys, ws.Shape, p), 1e-5f, 1e-5f);
    }

    [Test]
    public void Im2ColAndCol2ImMatchTheDefinition()
    {
        int n = 2, c = 2, h = 5, w = 4, kh = 3, kw = 2;
        var p = new Conv2dParams(2, 1, 1, 0, 1, 2);
        int oh = p.OutputHeight(h, kh), ow = p.OutputWidth(w, kw), rows = c * kh * kw, l = oh * ow;
        var x = TensorAssert.RandomData(n * c * h * w, 8);
        var cols = new float[n * rows * l];
        var back = new float[x.Length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                        for (int i = 0; i < oh; i++)
                            for (int j = 0; j < ow; j++)
                            {
                                int hh = i * p.StrideH - p.PadH + ki * p.DilationH, ww = j * p.StrideW - p.PadW + kj * p.DilationW;
                                int row = (ch * kh + ki) * kw + kj;
                                int at = (b * rows + row) * l + i * ow + j;
                                if (hh >= 0 && hh < h && ww >= 0 && ww < w)
                                {
                                    cols[at] = x[((b * c + ch) * h + hh) * w + ww];
                                    back[((b * c + ch) * h + hh) * w + ww] += cols[at];
                                }
                            }
        var columns = On(Sim, x, n, c, h, w).Im2Col(kh, kw, p);
        TensorAssert.Close(cols, columns, 0f, 0f);
        TensorAssert.Close(back, columns.Col2Im(new Shape(n, c, h, w), kh, kw, p), 1e-6f, 1e-6f);
    }

    [TestCase(2, 2, 0, 1, false)]
    [TestCase(3, 2, 1, 1, false)]
    [TestCase(3, 1, 1, 2, false)]
    [TestCase(3, 2, 1, 1, true)]
    [TestCase(2, 3, 1, 1, true)]
    public void PoolingForwardAndBackwardMatchTheDefinition(int k, int s, int pad, int dilation, bool ceil)
    {
        int n = 2, c = 3, h = 7, w = 6;
        var maxP = new Pool2dParams(k, k, s, s, pad, pad, dilation, dilation, ceil);
        var avgP = new Pool2dParams(k, k, s, s, pad, pad, 1, 1, ceil, CountIncludePad: !ceil);
        var x = TensorAssert.RandomData(n * c * h * w, 9);
        x[5] = float.NaN;
        var xs = On(Sim, x, n, c, h, w);

        var (values, indices) = xs.MaxPool2d(maxP);
        var (ev, ei) = MaxPoolReference(x, n * c, h, w, maxP);
        TensorAssert.Close(ev, values, 0f, 0f);
        TensorAssert.Close(ei, indices, 0f, 0f);
        var gy = TensorAssert.RandomData(values.Numel, 10);
        var egx = new float[x.Length];
        int outPlane = values.Shape[2] * values.Shape[3];
        for (int i = 0; i < gy.Length; i++) egx[i / outPlane * h * w + (int)ei[i]] += gy[i];
        TensorAssert.Close(egx, Tensor.MaxPool2dBackward(On(Sim, gy, values.Shape.ToArray()), indices, xs.Shape), 1e-6f, 1e-6f);

        var clean = TensorAssert.RandomData(x.Length, 11);
        var avg = On(Sim, clean, n, c, h, w).AvgPool2d(avgP);
        var (ea, egAvg) = AvgPoolReference(clean, TensorAssert.RandomData(avg.Numel, 12), n * c, h, w, avgP);
        TensorAssert.Close(ea, avg, 1e-6f, 1e-5f);
        TensorAssert.Close(egAvg, Tensor.AvgPool2dBackward(On(Sim, TensorAssert.RandomData(avg.Numel, 12), avg.Shape.ToArray()), xs.Shape, avgP), 1e-6f, 1e-5f);
    }

    [Test]
    public void BatchNormStatisticsAreThePerChannelMeanAndPopulationVariance()
    {
        foreach (var shape in new[] { new[] { 4, 3, 5, 2 }, new[] { 5, 2 }, new[] { 3, 2, 600 } })
        {
            var x = TensorAssert.RandomData(new Shape(shape).Numel, 13);
            int n = shape[0], c = shape[1], s = x.Length / (n * c);
            var mean = new float[c];
            var variance = new float[c];
            for (int ch = 0; ch < c; ch++)
            {
                double sum = 0, ss = 0;
                for (int b = 0; b < n; b++) for (int i = 0; i < s; i++) sum += x[(b * c + ch) * s + i];
                double mu = sum / (n * s);
                for (int b = 0; b < n; b++) for (int i = 0; i < s; i++) ss += Math.Pow(x[(b * c + ch) * s + i] - mu, 2);
                mean[ch] = (float)mu;
                variance[ch] = (float)(ss / (n * s));
            }
            var (m, v) = On(Sim, x, shape).BatchNormStatistics();
            TensorAssert.Close(mean, m, 1e-6f, 1e-5f);
            TensorAssert.Close(variance, v, 1e-6f, 1e-5f);
        }
    }

    private static (float[] Y, float[] GradX, float[] GradW) Reference(float[] x, float[] wt, float[] bias, float[] gy,
        int n, int c, int h, int w, int o, int kh, int kw, Conv2dParams p)
    {
        int g = p.Groups, cg = c / g, og = o / g, oh = p.OutputHeight(h, kh), ow = p.OutputWidth(w, kw);
        var y = new float[n * o * oh * ow];
        var gx = new float[x.Length];
        var gw = new float[wt.Length];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        int yi = ((b * o + oc) * oh + i) * ow + j;
                        double acc = bias[oc];
                        for (int ci = 0; ci < cg; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++)
                                {
                                    int hh = i * p.StrideH - p.PadH + ki * p.DilationH, ww = j * p.StrideW - p.PadW + kj * p.DilationW;
                                    if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
                                    int ch = oc / og * cg + ci;
                                    int xi = ((b * c + ch) * h + hh) * w + ww, wi = ((oc * cg + ci) * kh + ki) * kw + kj;
                                    acc += x[xi] * wt[wi];
                                    gx[xi] += gy[yi] * wt[wi];
                                    gw[wi] += gy[yi] * x[xi];
                                }
                        y[yi] = (float)acc;
                    }
        return (y, gx, gw);
    }

    private static (float[] Values, float[] Indices) MaxPoolReference(float[] x, int planes, int h, int w, Pool2dParams p)
    {
        int oh = p.OutputHeight(h), ow = p.OutputWidth(w);
        var values = new float[planes * oh * ow];
        var indices = new float[values.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    for (int ki = 0; ki < p.KernelH; ki++)
                        for (int kj = 0; kj < p.KernelW; kj++)
                        {
                            int hh = i * p.StrideH - p.PadH + ki * p.DilationH, ww = j * p.StrideW - p.PadW + kj * p.DilationW;
                            if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
                            float v = x[pl * h * w + hh * w + ww];
                            if (at < 0 || v > best || float.IsNaN(v)) { best = v; at = hh * w + ww; }
                        }
                    values[(pl * oh + i) * ow + j] = best;
                    indices[(pl * oh + i) * ow + j] = at;
                }
        return (values, indices);
    }

    private static (float[] Y, float[] GradX) AvgPoolReference(float[] x, float[] gy, int planes, int h, int w, Pool2dParams p)
    {
        int oh = p.OutputHeight(h), ow = p.OutputWidth(w);
        var y = new float[planes * oh * ow];
        var gx = new float[x.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int h0 = i * p.StrideH - p.PadH, w0 = j * p.StrideW - p.PadW;
                    int h1 = Math.Min(h0 + p.KernelH, h + p.PadH), w1 = Math.Min(w0 + p.KernelW, w + p.PadW);
                    int padded = (h1 - h0) * (w1 - w0);
                    h0 = Math.Max(h0, 0); w0 = Math.Max(w0, 0); h1 = Math.Min(h1, h); w1 = Math.Min(w1, w);
                    int divisor = p.CountIncludePad ? padded : (h1 - h0) * (w1 - w0);
                    double sum = 0;
                    int yi = (pl * oh + i) * ow + j;
                    for (int hh = h0; hh < h1; hh++)
                        for (int ww = w0; ww < w1; ww++)
                        {
                            sum += x[pl * h * w + hh * w + ww];
                            gx[pl * h * w + hh * w + ww] += gy[yi] / divisor;
                        }
                    y[yi] = (float)(sum / divisor);
                }
        return (y, gx);
    }
}
