using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The input gradient of a convolution without a column matrix: for each kernel tap <c>(i, j)</c>,
/// <c>dX[c, oh*sh + i*dh - ph, ow*sw + j*dw - pw] += sum_o W[o, c, i, j] dY[o, oh, ow]</c>. Each tap is a small GEMM
/// whose depth is the output channels; its 6 x 16 tile (<see cref="ImplicitConvolution.Tile"/>: six dY pixels
/// broadcast, sixteen input channels of the tap's transposed weights <c>[O, C]</c> load as vectors) is added straight
/// into a channels-last copy of the padded gradient, where a pixel's sixteen channels are one contiguous run. That
/// copy is turned back into <c>[C, H, W]</c> once per image, in 8 x 8 register transposes.
/// </summary>
/// <remarks>
/// <para>The im2col form builds <c>cols = W^T dY</c> (<c>C*kh*kw</c> rows) and then folds it: on small maps the fold and
/// the packing of dY cost as much as a third of the pass. Written as a convolution of the zero-padded dY with the
/// flipped kernel it would need no scatter, but it multiplies zeros: 2.25 times the multiply-adds on a 4x4 map.
/// The per-tap form does exactly the multiply-adds of the im2col form, and every add lands on a whole vector.</para>
/// <para>Used for one group, any stride, padding and dilation, when the input channels fill most of a 16-wide vector
/// (<see cref="MinChannels"/>), the output channels give each tile enough depth (<see cref="MinOutputs"/>), and the
/// weights and a run of padded channels-last images stay in the core's L2. Images are split across threads; a
/// run of several images shares the tiles so that the few pixels of a small map do not leave blocks half empty.</para>
/// </remarks>
internal static unsafe class ImplicitInputGradient
{
    private const int Mr = 6, Nr = 16;

    /// <summary>Whether <see cref="Convolution.BackwardInput"/> may take this path (switched off to compare with im2col).</summary>
    internal static bool Enabled = true;

    /// <summary>Fewest input channels: a tile computes sixteen, so fewer waste most of its lanes.</summary>
    internal static int MinChannels = 12;

    /// <summary>Fewest output channels, the depth of each tile: below it the tile's sixteen adds dominate.</summary>
    internal static int MinOutputs = 32;

    /// <summary>dY pixels (over a run of images) that one run's tiles cover, so that blocks of six are nearly all full.</summary>
    internal static int RunPixels = 192;

    /// <summary>Largest channels-last padded gradient of one run (floats): it stays in L2 while every tap adds into it.</summary>
    internal static int MaxRunFloats = 1 << 17;

    /// <summary>Largest transposed weight tensor (floats): every block of six pixels streams all of it from L2.</summary>
    internal static int MaxWeightFloats = 1 << 17;

    /// <summary>Whether the input gradient of <paramref name="g"/> can run here on this machine.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Enabled && Fma.IsSupported && g.Groups == 1 && !g.IsPointwise && g.N > 0 && g.Pixels > 0
        && g.C >= MinChannels && g.O >= MinOutputs
        && (long)(g.H + 2 * g.PH) * (g.W + 2 * g.PW) * PaddedChannels(g.C) <= MaxRunFloats
        && (long)g.KH * g.KW * g.O * PaddedChannels(g.C) <= MaxWeightFloats;

    /// <summary>Largest ratio of input to output pixels for <see cref="AppliesAsConvolution"/>: above it, most taps meet zeros.</summary>
    internal static double MaxPaddedShare = 1.25;

    /// <summary>
    /// Whether the input gradient of <paramref name="g"/> can run as a forward convolution of the zero-padded dY with the
    /// flipped kernel (<see cref="Flipped"/>), through <see cref="ImplicitConvolution"/>'s narrow row tile: unit stride, at
    /// most <see cref="ImplicitConvolution.NarrowOutputs"/> input channels (a first layer, where the per-tap form
    /// would waste most of its 16 lanes), and a map large enough that the padding adds few multiply-adds
    /// (<see cref="MaxPaddedShare"/>; 1.14 on a 32x32 CIFAR image with a 3x3 kernel).
    /// </summary>
    public static bool AppliesAsConvolution(in ConvGeometry g) =>
        Enabled && g.SH == 1 && g.SW == 1 && g.Groups == 1 && g.N > 0 && g.Pixels > 0 && g.C <= ImplicitConvolution.NarrowOutputs
        && g.DH * (g.KH - 1) >= g.PH && g.DW * (g.KW - 1) >= g.PW && (double)g.Plane / g.Pixels <= MaxPaddedShare
        && ImplicitConvolution.AppliesByRows(Flipped(g));

    /// <summary>
    /// The forward convolution that computes the input gradient of a unit-stride <paramref name="g"/>: dY
    /// (<c>[N, O, OH, OW]</c>) is its input, padded by <c>d*(k-1) - p</c> on each side, and its weight is
    /// <c>W'[c, o, i, j] = W[o, c, kh-1-i, kw-1-j]</c>, so that its output is <c>[N, C, H, W]</c>.
    /// </summary>
    internal static ConvGeometry Flipped(in ConvGeometry g) =>
        new(g.N, g.O, g.OH, g.OW, g.C, g.KH, g.KW,
            new Conv2dParams(1, 1, g.DH * (g.KH - 1) - g.PH, g.DW * (g.KW - 1) - g.PW, g.DH, g.DW, 1));

    /// <summary>
    /// Runs the input gradient here when <see cref="Applies"/> or <see cref="AppliesAsConvolution"/> and returns true;
    /// returns false, doing nothing, otherwise.
    /// Shape: gradY <c>[N, O, OH, OW]</c>, w <c>[O, C, kh, kw]</c>, gradX <c>[N, C, H, W]</c> (overwritten); all contiguous.
    /// </summary>
    public static bool TryBackwardInput(in ConvGeometry g, float[] gradY, int gradYOffset, float[] w, int wOffset,
        float[] gradX, int gradXOffset, BufferPool pool)
    {
        if (!Applies(g)) return AppliesAsConvolution(g) && AsConvolution(g, gradY, gradYOffset, w, wOffset, gradX, gradXOffset, pool);
        int outputs = g.O, channels = g.C, ldc = PaddedChannels(channels), pixels = g.Pixels, kernel = g.KH * g.KW;
        int hp = g.H + 2 * g.PH, wp = g.W + 2 * g.PW, image = hp * wp * ldc;
        if ((long)gradYOffset + (long)g.N * outputs * pixels > gradY.Length || (long)wOffset + (long)outputs * g.Rows > w.Length
            || (long)gradXOffset + (long)g.N * channels * g.Plane > gradX.Length)
            throw new ArgumentException($"ImplicitInputGradient.TryBackwardInput: an operand is shorter than its shape (N={g.N}, C={channels}, O={outputs}, taps={kernel}).");

        float[] weights = pool.Rent(kernel * outputs * ldc, zero: false);
        TransposeWeights(g, w, wOffset, weights, ldc);
        int run = Math.Clamp((RunPixels + pixels - 1) / pixels, 1, Math.Max(1, MaxRunFloats / image));
        int threads = Math.Max(1, Math.Min(CpuParallel.MaxThreads, g.N));
        int perWorker = (g.N + threads - 1) / threads, workers = (g.N + perWorker - 1) / perWorker;
        var geo = g;
        try
        {
            CpuParallel.For(workers, (long)perWorker * outputs * pixels * g.Rows, (w0, w1) =>
            {
                float[] sums = pool.Rent(run * image, zero: false);
                try
                {
                    for (int worker = w0; worker < w1; worker++)
                    {
                        int end = Math.Min(geo.N, (worker + 1) * perWorker);
                        for (int n = worker * perWorker; n < end; n += run)
                        {
                            int count = Math.Min(run, end - n);
                            sums.AsSpan(0, count * image).Clear();
                            Run(geo, gradY, gradYOffset + n * outputs * pixels, count, weights, ldc, sums, hp, wp);
                            for (int r = 0; r < count; r++)
                                ToPlanes(geo, sums, r * image, ldc, wp, gradX, gradXOffset + (n + r) * channels * geo.Plane);
                        }
                    }
                }
                finally
                {
                    pool.Return(sums);
                }
            });
        }
        finally
        {
            pool.Return(weights);
        }
        return true;
    }

    /// <summary>
    /// <c>to[(t * O + o) * ldc + c] = w[o, c, t]</c>: the weights as one <c>[O, C]</c> panel per tap, input channels padded
    /// with zeros to <paramref name="ldc"/>. Each destination row is written in order; the source is read at the stride
    /// of one kernel (all of it stays in L2), which is cheaper than scattering the writes over the panels.
    /// </summary>
    private static void TransposeWeights(in ConvGeometry g, float[] w, int wOffset, float[] to, int ldc)
    {
        int outputs = g.O, channels = g.C, kernel = g.KH * g.KW;
        fixed (float* src = w, dst = to)
        {
            for (int t = 0; t < kernel; t++)
                for (int o = 0; o < outputs; o++)
                {
                    float* d = dst + ((long)t * outputs + o) * ldc, s = src + wOffset + (long)o * channels * kernel + t;
                    int c = 0;
                    for (; c < channels; c++) d[c] = s[(long)c * kernel];
                    for (; c < ldc; c++) d[c] = 0f;
                }
        }
    }

    /// <summary>The input gradient as the forward convolution <see cref="Flipped"/>; same shapes as <see cref="TryBackwardInput"/>.</summary>
    private static bool AsConvolution(in ConvGeometry g, float[] gradY, int gradYOffset, float[] w, int wOffset,
        float[] gradX, int gradXOffset, BufferPool pool)
    {
        int outputs = g.O, channels = g.C, kh = g.KH, kw = g.KW, kernel = kh * kw;
        if ((long)wOffset + (long)outputs * g.Rows > w.Length)
            throw new ArgumentException($"ImplicitInputGradient.TryBackwardInput: the weight is shorter than its shape (O={outputs}, C={channels}, taps={kernel}).");
        float[] flipped = pool.Rent(channels * outputs * kernel, zero: false);
        try
        {
            for (int c = 0; c < channels; c++)
                for (int o = 0; o < outputs; o++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            flipped[((c * outputs + o) * kh + i) * kw + j] = w[wOffset + ((o * channels + c) * kh + kh - 1 - i) * kw + kw - 1 - j];
            return ImplicitConvolution.TryForward(Flipped(g), gradY, gradYOffset, flipped, 0, null, 0, gradX, gradXOffset, pool);
        }
        finally
        {
            pool.Return(flipped);
        }
    }

    /// <summary>Input channels rounded up to whole 16-wide panels.</summary>
    private static int PaddedChannels(int channels) => (channels + Nr - 1) / Nr * Nr;

    /// <summary>
    /// Adds every tap's product for <paramref name="count"/> images of dY (from <paramref name="gradYAt"/>) into
    /// <paramref name="sums"/>, their padded gradients as <c>[count, hp*wp, ldc]</c>.
    /// </summary>
    private static void Run(in ConvGeometry g, float[] gradY, int gradYAt, int count, float[] weights, int ldc, float[] sums, int hp, int wp)
    {
        int outputs = g.O, pixels = g.Pixels, total = count * pixels, last = total - 1, kernel = g.KH * g.KW;
        int* depthOffsets = stackalloc int[outputs];
        for (int o = 0; o < outputs; o++) depthOffsets[o] = o * pixels;
        int* shifts = stackalloc int[kernel];
        for (int i = 0; i < g.KH; i++)
            for (int j = 0; j < g.KW; j++) shifts[i * g.KW + j] = (i * g.DH * wp + j * g.DW) * ldc;
        float** columns = stackalloc float*[Mr];
        float** targets = stackalloc float*[Mr];
        float** rows = stackalloc float*[Mr];
        float* spare = stackalloc float[Nr];
        fixed (float* pdy = gradY, pw = weights, ps = sums)
        {
            float* dy = pdy + gradYAt;
            for (int q0 = 0; q0 < total; q0 += Mr)
            {
                // Each of the six rows is one dY pixel: where its values are, and where its window's corner lands.
                // A short last block repeats its final pixel; those rows add into a spare vector, not the gradient.
                for (int i = 0; i < Mr; i++)
                {
                    int q = Math.Min(q0 + i, last), r = q / pixels, p = q % pixels;
                    columns[i] = dy + (long)r * outputs * pixels + p;
                    targets[i] = q0 + i > last ? null
                        : ps + ((long)r * hp * wp + p / g.OW * g.SH * wp + p % g.OW * g.SW) * ldc;
                }
                for (int t = 0; t < kernel; t++)
                {
                    float* panel = pw + (long)t * outputs * ldc;
                    for (int c0 = 0; c0 < ldc; c0 += Nr)
                    {
                        for (int i = 0; i < Mr; i++) rows[i] = targets[i] is null ? spare : targets[i] + shifts[t] + c0;
                        ImplicitConvolution.Tile(outputs, columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], depthOffsets, panel + c0, ldc, rows, add: true);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Copies the interior of one channels-last padded gradient (<c>[hp*wp, ldc]</c> at <paramref name="from"/>) into
    /// the planes <c>[C, H, W]</c> of one image of gradX: eight pixels by eight channels per register transpose.
    /// </summary>
    private static void ToPlanes(in ConvGeometry g, float[] sums, int from, int ldc, int wp, float[] gradX, int to)
    {
        int channels = g.C, plane = g.Plane, width = g.W;
        float** source = stackalloc float*[8];
        fixed (float* ps = sums, pdx = gradX)
        {
            float* dx = pdx + to;
            int q0 = 0;
            for (; q0 + 8 <= plane; q0 += 8)
            {
                for (int k = 0; k < 8; k++)
                {
                    int q = q0 + k;
                    source[k] = ps + from + ((long)(q / width + g.PH) * wp + q % width + g.PW) * ldc;
                }
                int c0 = 0;
                for (; c0 + 8 <= channels; c0 += 8)
                {
                    var (r0, r1, r2, r3, r4, r5, r6, r7) = GemmPacking.Transpose8x8(
                        Vector256.Load(source[0] + c0), Vector256.Load(source[1] + c0), Vector256.Load(source[2] + c0), Vector256.Load(source[3] + c0),
                        Vector256.Load(source[4] + c0), Vector256.Load(source[5] + c0), Vector256.Load(source[6] + c0), Vector256.Load(source[7] + c0));
                    float* d = dx + (long)c0 * plane + q0;
                    r0.Store(d); r1.Store(d + plane); r2.Store(d + 2 * plane); r3.Store(d + 3 * plane);
                    r4.Store(d + 4 * plane); r5.Store(d + 5 * plane); r6.Store(d + 6 * plane); r7.Store(d + 7 * plane);
                }
                for (; c0 < channels; c0++)
                    for (int k = 0; k < 8; k++) dx[(long)c0 * plane + q0 + k] = source[k][c0];
            }
            for (; q0 < plane; q0++)
            {
                float* s = ps + from + ((long)(q0 / width + g.PH) * wp + q0 % width + g.PW) * ldc;
                for (int c = 0; c < channels; c++) dx[(long)c * plane + q0] = s[c];
            }
        }
    }
}
