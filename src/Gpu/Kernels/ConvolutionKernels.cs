using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Geometry of im2col / col2im. The column matrix of image <c>n</c> has one row per (channel, ki, kj) and one
/// column per output position; where it lives is given by <c>ColImageStride</c> (step between images) and
/// <c>ColRowStride</c> (step between rows), so the same kernels fill the per-image layout
/// <c>[N, C*kh*kw, OH*OW]</c> and the batch-wide layout <c>[C*kh*kw, N*OH*OW]</c> used for weight gradients.
/// </summary>
internal struct ConvGeometry
{
    public int N, C, H, W, KH, KW, OH, OW;
    public int StrideH, StrideW, PadH, PadW, DilationH, DilationW;
    public int XOffset, ColOffset, ColImageStride, ColRowStride;

    public readonly int Rows => C * KH * KW;
    public readonly int Positions => OH * OW;
}

/// <summary>Im2col, col2im and the bias add of convolution; the products themselves run on <see cref="GemmKernel"/>.</summary>
internal static class ConvolutionKernels
{
    /// <summary>One thread per column entry; consecutive threads fill consecutive output positions.</summary>
    public static void Im2Col(ConvGeometry g, int count, ArrayView<float> x, ArrayView<float> cols)
    {
        int positions = g.Positions, rows = g.Rows;
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            int l = i % positions;
            int t = i / positions;
            int row = t % rows;
            int n = t / rows;
            int kj = row % g.KW;
            int ki = row / g.KW % g.KH;
            int c = row / (g.KW * g.KH);
            int oh = l / g.OW, ow = l - oh * g.OW;
            int h = oh * g.StrideH - g.PadH + ki * g.DilationH;
            int w = ow * g.StrideW - g.PadW + kj * g.DilationW;
            float v = h >= 0 && h < g.H && w >= 0 && w < g.W ? x[g.XOffset + ((n * g.C + c) * g.H + h) * g.W + w] : 0f;
            cols[g.ColOffset + n * g.ColImageStride + row * g.ColRowStride + l] = v;
        }
    }

    /// <summary>
    /// One thread per image pixel, summing every column entry that was copied from it (a gather, so no atomics and
    /// a fixed summation order). Overwrites x.
    /// </summary>
    public static void Col2Im(ConvGeometry g, int count, ArrayView<float> cols, ArrayView<float> x)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
        {
            int w = i % g.W;
            int t = i / g.W;
            int h = t % g.H;
            t /= g.H;
            int c = t % g.C;
            int n = t / g.C;
            float sum = 0f;
            int colBase = g.ColOffset + n * g.ColImageStride;
            for (int ki = 0; ki < g.KH; ki++)
            {
                int hs = h + g.PadH - ki * g.DilationH;
                if (hs < 0 || hs % g.StrideH != 0) continue;
                int oh = hs / g.StrideH;
                if (oh >= g.OH) continue;
                for (int kj = 0; kj < g.KW; kj++)
                {
                    int ws = w + g.PadW - kj * g.DilationW;
                    if (ws < 0 || ws % g.StrideW != 0) continue;
                    int ow = ws / g.StrideW;
                    if (ow >= g.OW) continue;
                    int row = (c * g.KH + ki) * g.KW + kj;
                    sum += cols[colBase + row * g.ColRowStride + oh * g.OW + ow];
                }
            }
            x[g.XOffset + i] = sum;
        }
    }

    /// <summary><c>y[n, o, l] += bias[o]</c> over a contiguous <c>[N, O, L]</c> block.</summary>
    public static void AddChannelBias(int count, int channels, int positions, int yOffset, int biasOffset,
        ArrayView<float> y, ArrayView<float> bias)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
            y[yOffset + i] += bias[biasOffset + i / positions % channels];
    }
}
