namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Max pooling with PyTorch's semantics: padding never wins (it counts as -inf), taps are <c>dilation</c> apart,
/// the first maximum in row-major window order wins ties, and a NaN in the window wins outright.
/// Each plane <c>(n, c)</c> is independent, so the work splits across <c>N*C</c> planes.
/// </summary>
internal static class MaxPool
{
    /// <summary>Shape: x <c>[N, C, H, W]</c> contiguous; y and indices <c>[N, C, OH, OW]</c>, indices as flat <c>h*W + w</c>.</summary>
    public static void Forward(Tensor x, Pool2dParams p, Tensor y, Tensor indices)
    {
        int h = x.Shape[2], w = x.Shape[3], oh = y.Shape[2], ow = y.Shape[3];
        float[] xd = Data(x), yd = Data(y), id = Data(indices);
        int xo = x.Offset, yo = y.Offset, io = indices.Offset;
        var rows = PoolWindow.Starts(oh, h, p.KernelH, p.StrideH, p.PadH, p.DilationH);
        var cols = PoolWindow.Starts(ow, w, p.KernelW, p.StrideW, p.PadW, p.DilationW);
        int dh = p.DilationH, dw = p.DilationW;
        if (MaxPoolVector.IsSupported)
        {
            MaxPoolVector.Forward(xd, xo, yd, yo, id, io, x.Shape[0] * x.Shape[1], h, w, oh, ow, p, rows, cols);
            return;
        }
        CpuParallel.For(x.Shape[0] * x.Shape[1], (long)oh * ow * p.KernelH * p.KernelW, (c0, c1) =>
        {
            for (int plane = c0; plane < c1; plane++)
            {
                int src = xo + plane * h * w, dst = plane * oh * ow;
                for (int r = 0; r < oh; r++)
                {
                    var (h0, h1) = rows[r];
                    for (int c = 0; c < ow; c++)
                    {
                        var (w0, w1) = cols[c];
                        float best = float.NegativeInfinity;
                        // A window that misses the input entirely (only possible with large dilations) points nowhere.
                        int bestAt = h0 < h1 && w0 < w1 ? h0 * w + w0 : -1;
                        for (int ih = h0; ih < h1; ih += dh)
                        {
                            int line = ih * w;
                            for (int iw = w0; iw < w1; iw += dw)
                            {
                                float v = xd[src + line + iw];
                                if (v > best || float.IsNaN(v))
                                {
                                    best = v;
                                    bestAt = line + iw;
                                }
                            }
                        }
                        int at = dst + r * ow + c;
                        yd[yo + at] = best;
                        id[io + at] = bestAt;
                    }
                }
            }
        });
    }

    /// <summary>Shape: gradY and indices <c>[N, C, OH, OW]</c>; gradX <c>[N, C, H, W]</c>, overwritten (overlapping windows sum).</summary>
    public static void Backward(Tensor gradY, Tensor indices, Tensor gradX)
    {
        int planeIn = gradX.Shape[2] * gradX.Shape[3], planeOut = gradY.Shape[2] * gradY.Shape[3];
        float[] dyd = Data(gradY), id = Data(indices), dxd = Data(gradX);
        int dyo = gradY.Offset, io = indices.Offset, dxo = gradX.Offset;
        CpuParallel.For(gradX.Shape[0] * gradX.Shape[1], planeIn + planeOut, (c0, c1) =>
        {
            for (int plane = c0; plane < c1; plane++)
            {
                int dst = dxo + plane * planeIn, src = plane * planeOut;
                dxd.AsSpan(dst, planeIn).Clear();
                for (int k = 0; k < planeOut; k++)
                {
                    int at = (int)id[io + src + k];
                    if ((uint)at < (uint)planeIn) dxd[dst + at] += dyd[dyo + src + k];
                }
            }
        });
    }

    private static float[] Data(Tensor t) => ((CpuStorage)t.Storage).Data;
}
