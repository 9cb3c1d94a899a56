namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Average pooling with PyTorch's divisor rules: a window is first clipped to the padded input (this matters in
/// ceil mode); with <c>CountIncludePad</c> the divisor is that clipped window's area, otherwise the number of real
/// input elements under it. Dilation does not apply to average pooling. Work splits across <c>N*C</c> planes.
/// </summary>
internal static class AvgPool
{
    /// <summary>Shape: x <c>[N, C, H, W]</c> contiguous, y <c>[N, C, OH, OW]</c>.</summary>
    public static void Forward(Tensor x, Pool2dParams p, Tensor y)
    {
        int h = x.Shape[2], w = x.Shape[3], oh = y.Shape[2], ow = y.Shape[3];
        float[] xd = Data(x), yd = Data(y);
        int xo = x.Offset, yo = y.Offset;
        var rows = PoolWindow.Spans(oh, h, p.KernelH, p.StrideH, p.PadH);
        var cols = PoolWindow.Spans(ow, w, p.KernelW, p.StrideW, p.PadW);
        bool includePad = p.CountIncludePad;
        CpuParallel.For(x.Shape[0] * x.Shape[1], (long)oh * ow * p.KernelH * p.KernelW, (c0, c1) =>
        {
            for (int plane = c0; plane < c1; plane++)
            {
                int src = xo + plane * h * w, dst = yo + plane * oh * ow;
                for (int r = 0; r < oh; r++)
                {
                    var (h0, h1, hp) = rows[r];
                    for (int c = 0; c < ow; c++)
                    {
                        var (w0, w1, wp) = cols[c];
                        float value = 0f;
                        if (h0 < h1 && w0 < w1)
                        {
                            float sum = 0f;
                            for (int ih = h0; ih < h1; ih++)
                                for (int iw = w0; iw < w1; iw++) sum += xd[src + ih * w + iw];
                            value = sum / (includePad ? hp * wp : (h1 - h0) * (w1 - w0));
                        }
                        yd[dst + r * ow + c] = value;
                    }
                }
            }
        });
    }

    /// <summary>Shape: gradY <c>[N, C, OH, OW]</c>, gradX <c>[N, C, H, W]</c> (overwritten; overlapping windows sum).</summary>
    public static void Backward(Tensor gradY, Pool2dParams p, Tensor gradX)
    {
        int h = gradX.Shape[2], w = gradX.Shape[3], oh = gradY.Shape[2], ow = gradY.Shape[3];
        float[] dyd = Data(gradY), dxd = Data(gradX);
        int dyo = gradY.Offset, dxo = gradX.Offset;
        var rows = PoolWindow.Spans(oh, h, p.KernelH, p.StrideH, p.PadH);
        var cols = PoolWindow.Spans(ow, w, p.KernelW, p.StrideW, p.PadW);
        bool includePad = p.CountIncludePad;
        CpuParallel.For(gradX.Shape[0] * gradX.Shape[1], (long)oh * ow * p.KernelH * p.KernelW + h * w, (c0, c1) =>
        {
            for (int plane = c0; plane < c1; plane++)
            {
                int dst = dxo + plane * h * w, src = dyo + plane * oh * ow;
                dxd.AsSpan(dst, h * w).Clear();
                for (int r = 0; r < oh; r++)
                {
                    var (h0, h1, hp) = rows[r];
                    for (int c = 0; c < ow; c++)
                    {
                        var (w0, w1, wp) = cols[c];
                        if (h0 >= h1 || w0 >= w1) continue;
                        float share = dyd[src + r * ow + c] / (includePad ? hp * wp : (h1 - h0) * (w1 - w0));
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++) dxd[dst + ih * w + iw] += share;
                    }
                }
            }
        });
    }

    private static float[] Data(Tensor t) => ((CpuStorage)t.Storage).Data;
}
