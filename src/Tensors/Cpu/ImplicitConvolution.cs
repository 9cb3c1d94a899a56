using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// The forward convolution and its weight gradient as GEMMs whose column matrix is never built:
/// <c>Y[o, p] = sum_t W[o, t] X[p, t]</c>, where the "column" value <c>X[p, t]</c> is read straight from the
/// (zero-padded) image at <c>pixel[p] + tap[t]</c>. The micro-kernel has the shape of <see cref="GemmMicroKernel"/>
/// (a 6 x 16 tile of C in registers): six output pixels each broadcast their input value for tap t, and sixteen
/// output channels of the transposed weights <c>[t, o]</c> are loaded as two vectors. No im2col pass and no packing
/// of a column matrix: on layers with small feature maps those cost as much as the multiply-adds.
/// </summary>
/// <remarks>
/// <para>The weight gradient turns the roles round (<see cref="TryBackwardWeight"/>): six taps broadcast, sixteen output
/// channels of dY^T load. The input gradient has its own class (<see cref="ImplicitInputGradient"/>), which runs this
/// micro-kernel once per tap, or this class's narrow row tile for a 3-channel first layer.</para>
/// <para>Used for one group, when the taps are many enough that the per-tile stores are a small share
/// (<see cref="MinDepth"/>) and both a padded image and the weights stay in the core's L2 (<see cref="MaxImageFloats"/>,
/// <see cref="MaxWeightFloats"/>): the CIFAR CNN's deeper layers and ResNet-18's stem and first stage. Images are
/// split across threads; each worker pads its images into its own buffer.</para>
/// </remarks>
internal static unsafe class ImplicitConvolution
{
    private const int Mr = 6, Nr = 16;

    /// <summary>Whether the passes may take this path (switched off to compare with the im2col path).</summary>
    internal static bool Enabled = true;

    /// <summary>Fewest taps (<c>C*kh*kw</c>) for which a forward tile's multiply-adds outweigh its 96 scalar stores.</summary>
    internal static int MinDepth = 64;

    /// <summary>Fewest taps for the weight gradient (six taps make a tile; a 3x3 kernel on two channels has 18).</summary>
    internal static int MinWeightDepth = 16;

    /// <summary>Rows of dY^T (pixels) one slice of the weight gradient covers: 512 x 16 floats of it stay in L2.</summary>
    internal static int SliceRows = 512;

    /// <summary>Fewest output channels: a tile computes sixteen, so fewer waste most of its lanes.</summary>
    internal static int MinOutputs = 8;

    /// <summary>Largest padded image (<c>C*(H+2ph)*(W+2pw)</c> floats) read from, so its taps stay in L2.</summary>
    internal static int MaxImageFloats = 1 << 18;

    /// <summary>
    /// Largest transposed weight matrix (taps x output channels, floats). Every block of six pixels streams all of it,
    /// so it must stay in L2; deeper layers (ResNet-18's layers 2 to 4) measured two to three times slower here than
    /// through im2col and the blocked GEMM, which cuts the depth into cache-sized slices.
    /// </summary>
    internal static int MaxWeightFloats = 1 << 17;

    /// <summary>Whether the forward pass of <paramref name="g"/> can run here on this machine.</summary>
    public static bool Applies(in ConvGeometry g) => g.Rows >= MinDepth && g.O >= MinOutputs && Fits(g);

    /// <summary>
    /// Whether the weight gradient of <paramref name="g"/> can run here. Its tiles add into the sum only once per
    /// slice of pixels, so few taps are no obstacle (<see cref="MinWeightDepth"/>): a 3-channel first layer gains most.
    /// </summary>
    public static bool AppliesToWeightGradient(in ConvGeometry g) => g.Rows >= MinWeightDepth && g.O >= MinOutputs && Fits(g);

    private static bool Fits(in ConvGeometry g) =>
        Enabled && Fma.IsSupported && g.Groups == 1 && !g.IsPointwise && g.Pixels > 0 && g.O > 0
        && (long)g.C * (g.H + 2 * g.PH) * (g.W + 2 * g.PW) <= MaxImageFloats
        && (long)g.Rows * ((g.O + Nr - 1) / Nr * Nr) <= MaxWeightFloats;

    /// <summary>
    /// Runs the forward pass here when <paramref name="g"/> suits one of the two tile shapes (<see cref="Applies"/>,
    /// <see cref="AppliesByRows"/>) and returns true; returns false, doing nothing, otherwise.
    /// Shape: x <c>[N, C, H, W]</c>, w <c>[O, C, kh, kw]</c>, bias <c>[O]</c> or null, y <c>[N, O, OH, OW]</c>; all contiguous.
    /// </summary>
    public static bool TryForward(in ConvGeometry g, float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset,
        float[] y, int yOffset, BufferPool pool)
    {
        bool byChannels = Applies(g);
        if (!byChannels && !AppliesByRows(g)) return false;
        if ((long)xOffset + (long)g.N * g.C * g.Plane > x.Length || (long)wOffset + (long)g.O * g.Rows > w.Length
            || (long)yOffset + (long)g.N * g.O * g.Pixels > y.Length || (bias is not null && biasOffset + g.O > bias.Length))
            throw new ArgumentException($"ImplicitConvolution.TryForward: an operand is shorter than its shape (N={g.N}, C={g.C}, O={g.O}, taps={g.Rows}).");
        if (byChannels) Forward(g, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset, pool);
        else ForwardRows(g, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset, pool);
        return true;
    }

    /// <summary>Pixels by channels: six output pixels broadcast, sixteen output channels load as vectors.</summary>
    private static void Forward(in ConvGeometry g, float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset,
        float[] y, int yOffset, BufferPool pool)
    {
        int depth = g.Rows, outputs = g.O, paddedOutputs = (outputs + Nr - 1) / Nr * Nr, pixels = g.Pixels;
        int hp = g.H + 2 * g.PH, wp = g.W + 2 * g.PW, image = g.C * hp * wp;
        bool padded = g.PH > 0 || g.PW > 0;

        // Weights as [tap, output channel], channels padded with zeros to whole 16-wide panels.
        float[] weights = pool.Rent(depth * paddedOutputs, zero: true);
        for (int o = 0; o < outputs; o++)
            for (int t = 0; t < depth; t++) weights[t * paddedOutputs + o] = w[wOffset + o * depth + t];
        int[] taps = TapOffsets(g, hp, wp), starts = ArrayPool<int>.Shared.Rent(pixels);
        for (int p = 0; p < pixels; p++) starts[p] = p / g.OW * g.SH * wp + p % g.OW * g.SW;

        var geo = g;
        try
        {
            CpuParallel.For(g.N, (long)outputs * pixels * depth, (n0, n1) =>
            {
                float[]? copy = padded ? pool.Rent(image, zero: true) : null;
                try
                {
                    for (int n = n0; n < n1; n++)
                    {
                        int source = xOffset + n * geo.C * geo.Plane;
                        if (copy is not null) Pad(geo, x, source, copy, 0, hp, wp);
                        Image(geo, copy ?? x, copy is null ? source : 0, weights, paddedOutputs, taps, starts, bias, biasOffset,
                            y, yOffset + n * outputs * pixels);
                    }
                }
                finally
                {
                    if (copy is not null) pool.Return(copy);
                }
            });
        }
        finally
        {
            pool.Return(weights);
            ArrayPool<int>.Shared.Return(taps);
            ArrayPool<int>.Shared.Return(starts);
        }
    }

    /// <summary>
    /// Whether the forward pass of <paramref name="g"/> can run as <see cref="ForwardRows"/>, with unit horizontal
    /// stride: either few taps (where <see cref="Forward"/>'s per-tile stores would dominate) and output rows of at
    /// least 16, or at most <see cref="NarrowOutputs"/> output channels (too few for a 16-channel vector; the input
    /// gradient of a 3-channel first layer is such a pass) and output rows of at least 32.
    /// </summary>
    public static bool AppliesByRows(in ConvGeometry g) =>
        g.SW == 1 && Fits(g)
        && ((g.Rows < MinDepth && g.O >= Mr && g.OW >= Nr) || (g.O <= NarrowOutputs && g.OW >= NarrowPixels));

    /// <summary>Most output channels for the narrow row tile (three channels by 32 pixels).</summary>
    internal const int NarrowOutputs = 3;

    private const int NarrowPixels = 32;

    /// <summary>
    /// The forward pass for first layers (3 input channels, 27 taps): six output channels broadcast their weights and
    /// sixteen neighbouring output pixels of one row load as vectors straight from the padded input, so each tile's
    /// results are whole runs of an output row, stored as vectors. Same shapes as <see cref="TryForward"/>.
    /// </summary>
    private static void ForwardRows(in ConvGeometry g, float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset,
        float[] y, int yOffset, BufferPool pool)
    {
        int depth = g.Rows, outputs = g.O, pixels = g.Pixels;
        int hp = g.H + 2 * g.PH, wp = g.W + 2 * g.PW, image = g.C * hp * wp;
        int[] taps = TapOffsets(g, hp, wp);
        var geo = g;
        try
        {
            CpuParallel.For(g.N, (long)outputs * pixels * depth, (n0, n1) =>
            {
                // Every run of sixteen lies inside its output row (the last one is moved back to end there), so its
                // loads stay inside the padded input row.
                float[] copy = pool.Rent(image, zero: true);
                try
                {
                    for (int n = n0; n < n1; n++)
                    {
                        Pad(geo, x, xOffset + n * geo.C * geo.Plane, copy, 0, hp, wp);
                        RowTiles(geo, copy, w, wOffset, taps, bias, biasOffset, y, yOffset + n * outputs * pixels, wp);
                    }
                }
                finally
                {
                    pool.Return(copy);
                }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(taps);
        }
    }

    /// <summary>All tiles of one padded image: six output channels by sixteen pixels of one output row.</summary>
    private static void RowTiles(in ConvGeometry g, float[] image, float[] w, int wOffset, int[] taps, float[]? bias, int biasOffset,
        float[] y, int yAt, int wp)
    {
        int depth = g.Rows, outputs = g.O, pixels = g.Pixels, ow = g.OW;
        float* tile = stackalloc float[Mr * Nr];
        fixed (float* px = image, pw = w, py = y)
        fixed (int* pt = taps)
        {
            if (outputs <= NarrowOutputs)
            {
                float* w0 = pw + wOffset, w1 = w0 + (long)Math.Min(1, outputs - 1) * depth, w2 = w0 + (long)Math.Min(2, outputs - 1) * depth;
                for (int r = 0; r < g.OH; r++)
                {
                    float* line = px + (long)r * g.SH * wp;
                    for (int c0 = 0; c0 < ow; c0 += NarrowPixels)
                    {
                        int start = Math.Min(c0, ow - NarrowPixels);
                        NarrowRowTile(depth, w0, w1, w2, pt, line + start, tile);
                        for (int i = 0; i < outputs; i++)
                        {
                            float* dst = py + yAt + (long)i * pixels + r * ow + start;
                            var b = Vector256.Create(bias is null ? 0f : bias[biasOffset + i]);
                            for (int k = 0; k < NarrowPixels; k += 8) Vector256.Store(Vector256.Load(tile + i * NarrowPixels + k) + b, dst + k);
                        }
                    }
                }
                return;
            }
            for (int o0 = 0; o0 < outputs; o0 += Mr)
            {
                int rows = Math.Min(Mr, outputs - o0), last = outputs - 1;
                float* w0 = pw + wOffset + (long)o0 * depth, w1 = pw + wOffset + (long)Math.Min(o0 + 1, last) * depth;
                float* w2 = pw + wOffset + (long)Math.Min(o0 + 2, last) * depth, w3 = pw + wOffset + (long)Math.Min(o0 + 3, last) * depth;
                float* w4 = pw + wOffset + (long)Math.Min(o0 + 4, last) * depth, w5 = pw + wOffset + (long)Math.Min(o0 + 5, last) * depth;
                for (int r = 0; r < g.OH; r++)
                {
                    float* line = px + (long)r * g.SH * wp;
                    for (int c0 = 0; c0 < ow; c0 += Nr)
                    {
                        // The last run of a row may be short: it starts 16 before the row's end and overlaps the one before.
                        int start = Math.Min(c0, ow - Nr);
                        RowTile(depth, w0, w1, w2, w3, w4, w5, pt, line + start, tile);
                        for (int i = 0; i < rows; i++)
                        {
                            float* dst = py + yAt + (long)(o0 + i) * pixels + r * ow + start;
                            var b = Vector256.Create(bias is null ? 0f : bias[biasOffset + o0 + i]);
                            Vector256.Store(Vector256.Load(tile + i * Nr) + b, dst);
                            Vector256.Store(Vector256.Load(tile + i * Nr + 8) + b, dst + 8);
                        }
                    }
                }
            }
        }
    }

    /// <summary><c>out[i, j] = sum_t w_i[t] * line[tap[t] + j]</c> for six weight rows i and sixteen pixels j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTile(int depth, float* w0, float* w1, float* w2, float* w3, float* w4, float* w5, int* tap, float* line, float* result)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int t = 0; t < depth; t++)
        {
            float* b = line + tap[t];
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var v = Vector256.Create(w0[t]); c00 = Fma.MultiplyAdd(v, b0, c00); c01 = Fma.MultiplyAdd(v, b1, c01);
            v = Vector256.Create(w1[t]); c10 = Fma.MultiplyAdd(v, b0, c10); c11 = Fma.MultiplyAdd(v, b1, c11);
            v = Vector256.Create(w2[t]); c20 = Fma.MultiplyAdd(v, b0, c20); c21 = Fma.MultiplyAdd(v, b1, c21);
            v = Vector256.Create(w3[t]); c30 = Fma.MultiplyAdd(v, b0, c30); c31 = Fma.MultiplyAdd(v, b1, c31);
            v = Vector256.Create(w4[t]); c40 = Fma.MultiplyAdd(v, b0, c40); c41 = Fma.MultiplyAdd(v, b1, c41);
            v = Vector256.Create(w5[t]); c50 = Fma.MultiplyAdd(v, b0, c50); c51 = Fma.MultiplyAdd(v, b1, c51);
        }
        Avx.Store(result, c00); Avx.Store(result + 8, c01); Avx.Store(result + 16, c10); Avx.Store(result + 24, c11);
        Avx.Store(result + 32, c20); Avx.Store(result + 40, c21); Avx.Store(result + 48, c30); Avx.Store(result + 56, c31);
        Avx.Store(result + 64, c40); Avx.Store(result + 72, c41); Avx.Store(result + 80, c50); Avx.Store(result + 88, c51);
    }

    /// <summary>
    /// <c>out[i, j] = sum_t w_i[t] * line[tap[t] + j]</c> for three weight rows i and 32 pixels j: four pixel vectors
    /// load, three weights broadcast, twelve accumulators, so a pass with one to three output channels keeps the FMA
    /// units as busy as the six-row tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowRowTile(int depth, float* w0, float* w1, float* w2, int* tap, float* line, float* result)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default;
        Vector256<float> c12 = default, c13 = default, c20 = default, c21 = default, c22 = default, c23 = default;
        for (int t = 0; t < depth; t++)
        {
            float* b = line + tap[t];
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var b2 = Avx.LoadVector256(b + 16);
            var b3 = Avx.LoadVector256(b + 24);
            var v = Vector256.Create(w0[t]);
            c00 = Fma.MultiplyAdd(v, b0, c00); c01 = Fma.MultiplyAdd(v, b1, c01); c02 = Fma.MultiplyAdd(v, b2, c02); c03 = Fma.MultiplyAdd(v, b3, c03);
            v = Vector256.Create(w1[t]);
            c10 = Fma.MultiplyAdd(v, b0, c10); c11 = Fma.MultiplyAdd(v, b1, c11); c12 = Fma.MultiplyAdd(v, b2, c12); c13 = Fma.MultiplyAdd(v, b3, c13);
            v = Vector256.Create(w2[t]);
            c20 = Fma.MultiplyAdd(v, b0, c20); c21 = Fma.MultiplyAdd(v, b1, c21); c22 = Fma.MultiplyAdd(v, b2, c22); c23 = Fma.MultiplyAdd(v, b3, c23);
        }
        Avx.Store(result, c00); Avx.Store(result + 8, c01); Avx.Store(result + 16, c02); Avx.Store(result + 24, c03);
        Avx.Store(result + 32, c10); Avx.Store(result + 40, c11); Avx.Store(result + 48, c12); Avx.Store(result + 56, c13);
        Avx.Store(result + 64, c20); Avx.Store(result + 72, c21); Avx.Store(result + 80, c22); Avx.Store(result + 88, c23);
    }

    /// <summary>
    /// The weight gradient as the same implicit GEMM with the roles turned: <c>dW^T[t, o] = sum_q X[q, t] dY^T[q, o]</c>
    /// over q = (image, pixel). Six taps broadcast their input values, sixteen output channels of dY^T load as vectors,
    /// and the depth runs over a run of images at once so that each tile's result is added into the sum rarely.
    /// Shape: x <c>[N, C, H, W]</c>, gradY <c>[N, O, OH, OW]</c>, gradW <c>[O, C, kh, kw]</c> (overwritten).
    /// </summary>
    /// <returns>False, doing nothing, when <see cref="AppliesToWeightGradient"/> is false.</returns>
    public static bool TryBackwardWeight(in ConvGeometry g, float[] x, int xOffset, float[] gradY, int gradYOffset,
        float[] gradW, int gradWOffset, BufferPool pool)
    {
        if (!AppliesToWeightGradient(g)) return false;
        int depth = g.Rows, outputs = g.O, paddedOutputs = (outputs + Nr - 1) / Nr * Nr, pixels = g.Pixels;
        int hp = g.H + 2 * g.PH, wp = g.W + 2 * g.PW, image = g.C * hp * wp;
        bool padded = g.PH > 0 || g.PW > 0;
        if ((long)xOffset + (long)g.N * g.C * g.Plane > x.Length || (long)gradYOffset + (long)g.N * outputs * pixels > gradY.Length
            || (long)gradWOffset + (long)outputs * depth > gradW.Length)
            throw new ArgumentException($"ImplicitConvolution.TryBackwardWeight: an operand is shorter than its shape (N={g.N}, C={g.C}, O={g.O}, taps={g.Rows}).");
        // Images per run: enough depth (about 256 pixel rows) that adding each tile into the sum is a small share.
        int run = Math.Clamp(256 / pixels, 1, Math.Max(1, MaxImageFloats / image));
        int threads = Math.Max(1, Math.Min(CpuParallel.MaxThreads, g.N));
        int perWorker = (g.N + threads - 1) / threads, workers = (g.N + perWorker - 1) / perWorker;
        int sumLength = (depth + Mr - 1) / Mr * Mr * paddedOutputs;
        var sums = new float[workers][];
        int[] taps = TapOffsets(g, hp, wp), offsets = ArrayPool<int>.Shared.Rent(run * pixels);
        // Images of a run sit one padded image apart: in the padding buffer, or in x itself when there is no padding.
        for (int r = 0; r < run; r++)
            for (int p = 0; p < pixels; p++) offsets[r * pixels + p] = r * image + p / g.OW * g.SH * wp + p % g.OW * g.SW;
        var geo = g;
        try
        {
            CpuParallel.For(workers, (long)perWorker * outputs * pixels * depth, (w0, w1) =>
            {
                for (int worker = w0; worker < w1; worker++)
                {
                    var sum = pool.Rent(sumLength, zero: true);
                    sums[worker] = sum;
                    float[]? copy = padded ? pool.Rent(run * image, zero: true) : null;
                    float[] transposed = pool.Rent(run * pixels * paddedOutputs, zero: true);
                    try
                    {
                        int end = Math.Min(geo.N, (worker + 1) * perWorker);
                        for (int n = worker * perWorker; n < end; n += run)
                        {
                            int count = Math.Min(run, end - n);
                            for (int r = 0; r < count; r++)
                            {
                                if (copy is not null) Pad(geo, x, xOffset + (n + r) * geo.C * geo.Plane, copy, r * image, hp, wp);
                                Transpose(gradY, gradYOffset + (n + r) * outputs * pixels, outputs, pixels, transposed, r * pixels * paddedOutputs, paddedOutputs);
                            }
                            WeightTiles(geo, copy ?? x, copy is null ? xOffset + n * geo.C * geo.Plane : 0, taps, offsets, count * pixels,
                                transposed, paddedOutputs, sum);
                        }
                    }
                    finally
                    {
                        if (copy is not null) pool.Return(copy);
                        pool.Return(transposed);
                    }
                }
            });
            // Partial sums in worker order, so the result does not depend on timing; then back to [O, C, kh, kw].
            for (int o = 0; o < outputs; o++)
                for (int t = 0; t < depth; t++)
                {
                    float total = 0f;
                    for (int worker = 0; worker < workers; worker++) total += sums[worker][t * paddedOutputs + o];
                    gradW[gradWOffset + o * depth + t] = total;
                }
        }
        finally
        {
            foreach (var sum in sums) if (sum is not null) pool.Return(sum);
            ArrayPool<int>.Shared.Return(taps);
            ArrayPool<int>.Shared.Return(offsets);
        }
        return true;
    }

    /// <summary>
    /// <c>to[p * ld + o] = from[o * pixels + p]</c>: one image of dY as <c>[pixels, O]</c> rows, in 8 x 8 register
    /// transposes. With few taps (a first layer's 27) this copy is as large as the multiply-adds, so it must be cheap.
    /// </summary>
    private static void Transpose(float[] from, int fromOffset, int outputs, int pixels, float[] to, int toOffset, int ld)
    {
        if ((long)fromOffset + (long)outputs * pixels > from.Length || (long)toOffset + (long)pixels * ld > to.Length || outputs > ld)
            throw new ArgumentException("ImplicitConvolution.Transpose: a block runs past its buffer.");
        fixed (float* src = from, dst = to)
        {
            float* f = src + fromOffset, t = dst + toOffset;
            int o0 = 0;
            for (; o0 + 8 <= outputs; o0 += 8)
            {
                int p0 = 0;
                for (; p0 + 8 <= pixels; p0 += 8)
                {
                    float* s = f + (long)o0 * pixels + p0;
                    var (r0, r1, r2, r3, r4, r5, r6, r7) = GemmPacking.Transpose8x8(
                        Vector256.Load(s), Vector256.Load(s + pixels), Vector256.Load(s + 2 * pixels), Vector256.Load(s + 3 * pixels),
                        Vector256.Load(s + 4 * pixels), Vector256.Load(s + 5 * pixels), Vector256.Load(s + 6 * pixels), Vector256.Load(s + 7 * pixels));
                    float* d = t + (long)p0 * ld + o0;
                    r0.Store(d); r1.Store(d + ld); r2.Store(d + 2 * ld); r3.Store(d + 3 * ld);
                    r4.Store(d + 4 * ld); r5.Store(d + 5 * ld); r6.Store(d + 6 * ld); r7.Store(d + 7 * ld);
                }
                for (; p0 < pixels; p0++)
                    for (int o = o0; o < o0 + 8; o++) t[(long)p0 * ld + o] = f[(long)o * pixels + p0];
            }
            for (int o = o0; o < outputs; o++)
                for (int p = 0; p < pixels; p++) t[(long)p * ld + o] = f[(long)o * pixels + p];
        }
    }

    /// <summary>Adds <c>sum[t, o] += sum_q input[offsets[q] + taps[t]] * dYT[q, o]</c> over a run of <paramref name="depth"/> rows q.</summary>
    private static void WeightTiles(in ConvGeometry g, float[] input, int inputOffset, int[] taps, int[] offsets, int depth,
        float[] transposed, int ldb, float[] sum)
    {
        int tapCount = g.Rows, outputs = g.O, last = tapCount - 1;
        float** rows = stackalloc float*[Mr];
        fixed (float* px = input, pb = transposed, ps = sum)
        fixed (int* pt = taps, po = offsets)
        {
            float* image = px + inputOffset;
            // The depth in slices whose rows of dY^T stay in L2 while every tap block passes over them.
            for (int q0 = 0; q0 < depth; q0 += SliceRows)
            {
                int slice = Math.Min(SliceRows, depth - q0);
                for (int t0 = 0; t0 < tapCount; t0 += Mr)
                {
                    // A short last block repeats its final tap in the spare rows; their sums land in the padding rows.
                    float* a0 = image + pt[t0], a1 = image + pt[Math.Min(t0 + 1, last)], a2 = image + pt[Math.Min(t0 + 2, last)];
                    float* a3 = image + pt[Math.Min(t0 + 3, last)], a4 = image + pt[Math.Min(t0 + 4, last)], a5 = image + pt[Math.Min(t0 + 5, last)];
                    for (int o0 = 0; o0 < outputs; o0 += Nr)
                    {
                        for (int i = 0; i < Mr; i++) rows[i] = ps + (long)(t0 + i) * ldb + o0;
                        Tile(slice, a0, a1, a2, a3, a4, a5, po + q0, pb + (long)q0 * ldb + o0, ldb, rows, add: true);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Where each tap <c>(c, i, j)</c> reads, relative to an output pixel's window corner, in a padded image of
    /// <paramref name="hp"/> x <paramref name="wp"/> planes. Rented from the shared int pool; give it back.
    /// </summary>
    private static int[] TapOffsets(in ConvGeometry g, int hp, int wp)
    {
        int[] taps = ArrayPool<int>.Shared.Rent(g.Rows);
        for (int c = 0; c < g.C; c++)
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++) taps[(c * g.KH + i) * g.KW + j] = c * hp * wp + i * g.DH * wp + j * g.DW;
        return taps;
    }

    /// <summary>Copies one image into the interior of its zero-padded buffer (the border stays zero from the rent).</summary>
    private static void Pad(in ConvGeometry g, float[] x, int source, float[] copy, int copyOffset, int hp, int wp)
    {
        // Rows of small maps are a few floats: a general copy call per row would cost more than the data.
        int w = g.W;
        fixed (float* from = x, to = copy)
        {
            for (int c = 0; c < g.C; c++)
            {
                float* src = from + source + (long)c * g.H * w;
                float* dst = to + copyOffset + ((long)c * hp + g.PH) * wp + g.PW;
                for (int r = 0; r < g.H; r++, src += w, dst += wp)
                {
                    int i = 0;
                    for (; i + 8 <= w; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
                    for (; i < w; i++) dst[i] = src[i];
                }
            }
        }
    }

    /// <summary>All tiles of one image: pixels six at a time, output channels sixteen at a time.</summary>
    private static void Image(in ConvGeometry g, float[] input, int inputOffset, float[] weights, int ldw, int[] taps, int[] starts,
        float[]? bias, int biasOffset, float[] y, int yAt)
    {
        int pixels = g.Pixels, outputs = g.O, depth = g.Rows;
        float* tile = stackalloc float[Mr * Nr];
        float** tileRows = stackalloc float*[Mr];
        for (int i = 0; i < Mr; i++) tileRows[i] = tile + i * Nr;
        fixed (float* px = input, pw = weights, py = y)
        fixed (int* pt = taps, ps = starts)
        {
            float* image = px + inputOffset;
            for (int p0 = 0; p0 < pixels; p0 += Mr)
            {
                int rows = Math.Min(Mr, pixels - p0), last = pixels - 1;
                // A short last block repeats its final pixel in the spare rows; their results are not stored.
                float* a0 = image + ps[p0], a1 = image + ps[Math.Min(p0 + 1, last)], a2 = image + ps[Math.Min(p0 + 2, last)];
                float* a3 = image + ps[Math.Min(p0 + 3, last)], a4 = image + ps[Math.Min(p0 + 4, last)], a5 = image + ps[Math.Min(p0 + 5, last)];
                for (int o0 = 0; o0 < outputs; o0 += Nr)
                {
                    Tile(depth, a0, a1, a2, a3, a4, a5, pt, pw + o0, ldw, tileRows, add: false);
                    int count = Math.Min(Nr, outputs - o0);
                    for (int o = 0; o < count; o++)
                    {
                        float b = bias is null ? 0f : bias[biasOffset + o0 + o];
                        float* dst = py + yAt + (long)(o0 + o) * pixels + p0;
                        for (int i = 0; i < rows; i++) dst[i] = tile[i * Nr + o] + b;
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>out[i, j] = sum_t a_i[tap[t]] * b[t * ldb + j]</c> for six rows i and sixteen columns j: the 6 x 16 tile in
    /// twelve vector accumulators. Row i is written to (or, with <paramref name="add"/>, added into) the sixteen floats
    /// at <c>rows[i]</c>, so a caller can send each row where it belongs without a staging copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile(int depth, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, int* tap, float* b, int ldb,
        float** rows, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int t = 0; t < depth; t++)
        {
            int at = tap[t];
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            b += ldb;
            var v = Vector256.Create(a0[at]); c00 = Fma.MultiplyAdd(v, b0, c00); c01 = Fma.MultiplyAdd(v, b1, c01);
            v = Vector256.Create(a1[at]); c10 = Fma.MultiplyAdd(v, b0, c10); c11 = Fma.MultiplyAdd(v, b1, c11);
            v = Vector256.Create(a2[at]); c20 = Fma.MultiplyAdd(v, b0, c20); c21 = Fma.MultiplyAdd(v, b1, c21);
            v = Vector256.Create(a3[at]); c30 = Fma.MultiplyAdd(v, b0, c30); c31 = Fma.MultiplyAdd(v, b1, c31);
            v = Vector256.Create(a4[at]); c40 = Fma.MultiplyAdd(v, b0, c40); c41 = Fma.MultiplyAdd(v, b1, c41);
            v = Vector256.Create(a5[at]); c50 = Fma.MultiplyAdd(v, b0, c50); c51 = Fma.MultiplyAdd(v, b1, c51);
        }
        if (add)
        {
            c00 += Avx.LoadVector256(rows[0]); c01 += Avx.LoadVector256(rows[0] + 8);
            c10 += Avx.LoadVector256(rows[1]); c11 += Avx.LoadVector256(rows[1] + 8);
            c20 += Avx.LoadVector256(rows[2]); c21 += Avx.LoadVector256(rows[2] + 8);
            c30 += Avx.LoadVector256(rows[3]); c31 += Avx.LoadVector256(rows[3] + 8);
            c40 += Avx.LoadVector256(rows[4]); c41 += Avx.LoadVector256(rows[4] + 8);
            c50 += Avx.LoadVector256(rows[5]); c51 += Avx.LoadVector256(rows[5] + 8);
        }
        Avx.Store(rows[0], c00); Avx.Store(rows[0] + 8, c01); Avx.Store(rows[1], c10); Avx.Store(rows[1] + 8, c11);
        Avx.Store(rows[2], c20); Avx.Store(rows[2] + 8, c21); Avx.Store(rows[3], c30); Avx.Store(rows[3] + 8, c31);
        Avx.Store(rows[4], c40); Avx.Store(rows[4] + 8, c41); Avx.Store(rows[5], c50); Avx.Store(rows[5] + 8, c51);
    }
}
