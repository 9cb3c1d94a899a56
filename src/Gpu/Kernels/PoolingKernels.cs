using ILGPU;
using ILGPU.Algorithms;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>Geometry of 2-D pooling over <c>Planes = N*C</c> planes of <c>H x W</c>.</summary>
internal struct PoolGeometry
{
    public int Planes, H, W, OH, OW, KH, KW;
    public int StrideH, StrideW, PadH, PadW, DilationH, DilationW;
    public int CountIncludePad;
    public int XOffset, YOffset, IndexOffset;
}

/// <summary>
/// Max and average pooling. Forward kernels run one thread per output. Average-pooling backward gathers (one
/// thread per input pixel, over the windows that contain it); max-pooling backward scatters through the stored
/// argmax positions with atomic adds, since without the geometry it cannot tell which windows cover a pixel
/// (with non-overlapping windows each pixel receives at most one gradient, so the result is still exact).
/// </summary>
internal static class PoolingKernels
{
    public static void MaxPool(PoolGeometry g, ArrayView<float> x, ArrayView<float> y, ArrayView<float> indices)
    {
        int outPlane = g.OH * g.OW, count = g.Planes * outPlane;
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            int plane = i / outPlane, r = i - plane * outPlane;
            int oh = r / g.OW, ow = r - oh * g.OW;
            int h0 = oh * g.StrideH - g.PadH, w0 = ow * g.StrideW - g.PadW;
            int xBase = g.XOffset + plane * g.H * g.W;
            float best = float.NegativeInfinity;
            int bestIndex = -1;
            for (int ki = 0; ki < g.KH; ki++)
            {
                int h = h0 + ki * g.DilationH;
                if (h < 0 || h >= g.H) continue;
                for (int kj = 0; kj < g.KW; kj++)
                {
                    int w = w0 + kj * g.DilationW;
                    if (w < 0 || w >= g.W) continue;
                    int p = h * g.W + w;
                    float v = x[xBase + p];
                    // The first valid tap is the answer for an all -inf window; NaN wins, as in PyTorch.
                    if (bestIndex < 0 || v > best || DeviceMath.IsNaN(v))
                    {
                        best = v;
                        bestIndex = p;
                    }
                }
            }
            y[g.YOffset + i] = best;
            indices[g.IndexOffset + i] = bestIndex;
        }
    }

    /// <summary>
    /// gradX must be zeroed first; each output gradient is added at its window's argmax. Positions outside the
    /// plane (indices that did not come from <see cref="MaxPool"/>) are skipped rather than written out of bounds.
    /// </summary>
    public static void MaxPoolBackward(PoolGeometry g, ArrayView<float> gradY, ArrayView<float> indices, ArrayView<float> gradX)
    {
        int outPlane = g.OH * g.OW, count = g.Planes * outPlane, plane = g.H * g.W;
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            float v = indices[g.IndexOffset + i];
            if (!IndexValidation.IsValid(v, plane)) continue;
            Atomic.Add(ref gradX[g.XOffset + i / outPlane * plane + (int)v], gradY[g.YOffset + i]);
        }
    }

    public static void AvgPool(PoolGeometry g, ArrayView<float> x, ArrayView<float> y)
    {
        int outPlane = g.OH * g.OW, count = g.Planes * outPlane;
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            int plane = i / outPlane, r = i - plane * outPlane;
            int oh = r / g.OW, ow = r - oh * g.OW;
            Window(g, oh, ow, out int h0, out int h1, out int w0, out int w1, out float divisor);
            int xBase = g.XOffset + plane * g.H * g.W;
            float sum = 0f;
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) sum += x[xBase + h * g.W + w];
            y[g.YOffset + i] = sum / divisor;
        }
    }

    /// <summary>One thread per input pixel; overwrites gradX.</summary>
    public static void AvgPoolBackward(PoolGeometry g, ArrayView<float> gradY, ArrayView<float> gradX)
    {
        int inPlane = g.H * g.W, count = g.Planes * inPlane;
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            int plane = i / inPlane, r = i - plane * inPlane;
            int h = r / g.W, w = r - h * g.W;
            // Windows [oh*s - pad, oh*s - pad + k) that contain h.
            int ohFirst = FirstWindow(h + g.PadH - g.KH + 1, g.StrideH);
            int ohLast = XMath.Min(g.OH - 1, (h + g.PadH) / g.StrideH);
            int owFirst = FirstWindow(w + g.PadW - g.KW + 1, g.StrideW);
            int owLast = XMath.Min(g.OW - 1, (w + g.PadW) / g.StrideW);
            float sum = 0f;
            int yBase = g.YOffset + plane * g.OH * g.OW;
            for (int oh = ohFirst; oh <= ohLast; oh++)
                for (int ow = owFirst; ow <= owLast; ow++)
                {
                    Window(g, oh, ow, out _, out _, out _, out _, out float divisor);
                    sum += gradY[yBase + oh * g.OW + ow] / divisor;
                }
            gradX[g.XOffset + i] = sum;
        }
    }

    private static int FirstWindow(int numerator, int stride) => numerator <= 0 ? 0 : (numerator + stride - 1) / stride;

    /// <summary>The clipped window of output (oh, ow) and its divisor, by PyTorch's rule.</summary>
    private static void Window(PoolGeometry g, int oh, int ow, out int h0, out int h1, out int w0, out int w1, out float divisor)
    {
        h0 = oh * g.StrideH - g.PadH;
        w0 = ow * g.StrideW - g.PadW;
        h1 = XMath.Min(h0 + g.KH, g.H + g.PadH);
        w1 = XMath.Min(w0 + g.KW, g.W + g.PadW);
        int padded = (h1 - h0) * (w1 - w0);
        h0 = XMath.Max(h0, 0);
        w0 = XMath.Max(w0, 0);
        h1 = XMath.Min(h1, g.H);
        w1 = XMath.Min(w1, g.W);
        divisor = g.CountIncludePad != 0 ? padded : (h1 - h0) * (w1 - w0);
    }
}
