using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Convolution as im2col plus GEMM (<see cref="PatchColumns"/>, <see cref="Gemm"/>). Per image and group:
/// forward <c>Y[g] = W[g] @ cols[g]</c>, backward-input <c>cols[g] = W[g]^T @ dY[g]</c> then col2im,
/// backward-weight <c>dW[g] += dY[g] @ cols[g]^T</c>; transposed operands are read in place through strides.
/// A 1x1 kernel with unit stride and no padding skips im2col: the input planes already are the column matrix.
/// </summary>
/// <remarks>
/// Three schedules (<see cref="ConvSchedule"/>), picked from the size of one image's product:
/// small products run one image per thread, each thread with its own column buffer and a single-threaded GEMM that
/// writes straight into the output (backward-weight: each thread sums into its own partial dW, and the partials
/// are added in a fixed order); large products with small feature maps unfold several images side by side so one
/// wide, multi-threaded GEMM covers them; large feature maps run one image at a time with a multi-threaded GEMM.
/// Column buffers come from the backend's <see cref="BufferPool"/>, so repeated shapes reuse them.
/// </remarks>
internal static class Convolution
{
    /// <summary>Multiply-adds of one image's product up to which images are spread across threads, one GEMM each.</summary>
    internal static long ThreadImageMacs = 1L << 21;

    /// <summary>Output pixels per image from which one image alone makes a wide enough GEMM.</summary>
    internal static int DirectPixels = 1024;

    /// <summary>Width the batched column matrix aims for when images are small.</summary>
    internal static int TargetColumns = 4096;

    /// <summary>Upper bound, in floats, on one batched column matrix.</summary>
    internal static int MaxColumnFloats = 1 << 22;

    public static void Im2Col(Tensor x, int kernelH, int kernelW, Conv2dParams p, Tensor columns)
    {
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], 1, kernelH, kernelW, p with { Groups = 1 });
        PatchColumns.Unfold(g, Data(x), x.Offset, 0, g.N, Data(columns), columns.Offset, g.Rows * g.Pixels, g.Pixels);
    }

    public static void Col2Im(Tensor columns, int kernelH, int kernelW, Conv2dParams p, Tensor x)
    {
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], 1, kernelH, kernelW, p with { Groups = 1 });
        PatchColumns.Fold(g, Data(columns), columns.Offset, g.Rows * g.Pixels, g.Pixels, Data(x), x.Offset, 0, g.N);
    }

    /// <summary>The schedule the passes use for geometry <paramref name="g"/>.</summary>
    internal static ConvSchedule Choose(in ConvGeometry g)
    {
        long macs = (long)g.O * g.Pixels * g.GroupRows;
        if (g.N > 1 && macs <= ThreadImageMacs) return ConvSchedule.ImagePerThread;
        if (g.N > 1 && g.Pixels < DirectPixels) return ConvSchedule.BatchedColumns;
        return ConvSchedule.ImageAtATime;
    }

    /// <summary>Shape: x <c>[N, C, H, W]</c>, w <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> or null, y <c>[N, O, OH, OW]</c>.</summary>
    public static void Forward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(x.Shape, w.Shape, p);
        var pool = PoolOf(x);
        switch (schedule ?? Choose(g))
        {
            case ConvSchedule.ImagePerThread:
                CpuParallel.For(g.N, ImageMacs(g), (n0, n1) =>
                {
                    var cols = RentColumns(pool, g);
                    for (int n = n0; n < n1; n++) ForwardImage(g, x, w, bias, y, n, cols, parallel: false);
                    if (cols is not null) pool.Return(cols);
                });
                return;
            case ConvSchedule.ImageAtATime:
            {
                var cols = RentColumns(pool, g);
                for (int n = 0; n < g.N; n++) ForwardImage(g, x, w, bias, y, n, cols, parallel: true);
                if (cols is not null) pool.Return(cols);
                return;
            }
        }

        float[] xd = Data(x), wd = Data(w), yd = Data(y);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows, chunk = ImagesPerChunk(g);
        var colsBuf = pool.Rent(g.Rows * chunk * pixels, zero: false);
        var product = pool.Rent(g.O * chunk * pixels, zero: false);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int count = Math.Min(chunk, g.N - n0), width = count * pixels;
            PatchColumns.Unfold(g, xd, x.Offset, n0, count, colsBuf, 0, pixels, width);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(og, width, kg,
                    wd, w.Offset + grp * og * kg, kg, 1,
                    colsBuf, grp * kg * width, width, 1,
                    product, grp * og * width, width, accumulate: false);
            Scatter(g, product, width, yd, y.Offset, n0, count, bias);
        }
        pool.Return(colsBuf);
        pool.Return(product);
    }

    /// <summary>Shape: gradY <c>[N, O, OH, OW]</c>, w <c>[O, C/groups, kh, kw]</c>, gradX <c>[N, C, H, W]</c> (overwritten).</summary>
    public static void BackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(gradX.Shape, w.Shape, p);
        if (g.O == 0)
        {
            Data(gradX).AsSpan(gradX.Offset, gradX.Numel).Clear();
            return;
        }
        var pool = PoolOf(gradY);
        switch (schedule ?? Choose(g))
        {
            case ConvSchedule.ImagePerThread:
                CpuParallel.For(g.N, ImageMacs(g), (n0, n1) =>
                {
                    var cols = RentColumns(pool, g);
                    for (int n = n0; n < n1; n++) BackwardInputImage(g, gradY, w, gradX, n, cols, parallel: false);
                    if (cols is not null) pool.Return(cols);
                });
                return;
            case ConvSchedule.ImageAtATime:
            {
                var cols = RentColumns(pool, g);
                for (int n = 0; n < g.N; n++) BackwardInputImage(g, gradY, w, gradX, n, cols, parallel: true);
                if (cols is not null) pool.Return(cols);
                return;
            }
        }

        float[] dyd = Data(gradY), wd = Data(w), dxd = Data(gradX);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows, chunk = ImagesPerChunk(g);
        var colsBuf = pool.Rent(g.Rows * chunk * pixels, zero: false);
        var gathered = pool.Rent(g.O * chunk * pixels, zero: false);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int count = Math.Min(chunk, g.N - n0), width = count * pixels;
            Gather(g, dyd, gradY.Offset, n0, count, gathered, width);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(kg, width, og,
                    wd, w.Offset + grp * og * kg, 1, kg,
                    gathered, grp * og * width, width, 1,
                    colsBuf, grp * kg * width, width, accumulate: false);
            PatchColumns.Fold(g, colsBuf, 0, pixels, width, dxd, gradX.Offset, n0, count);
        }
        pool.Return(colsBuf);
        pool.Return(gathered);
    }

    /// <summary>Shape: x <c>[N, C, H, W]</c>, gradY <c>[N, O, OH, OW]</c>, gradW <c>[O, C/groups, kh, kw]</c> (overwritten).</summary>
    public static void BackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(x.Shape, gradW.Shape, p);
        float[] dwd = Data(gradW);
        if (g.N == 0)
        {
            dwd.AsSpan(gradW.Offset, gradW.Numel).Clear();
            return;
        }
        var pool = PoolOf(x);
        switch (schedule ?? Choose(g))
        {
            case ConvSchedule.ImagePerThread:
            {
                // Worker t sums its images into its own partial dW (worker 0 straight into gradW); the partials are
                // then added in worker order, so no two threads write one gradient and the sum order is fixed.
                int size = gradW.Numel;
                int workers = Math.Min(CpuParallel.MaxThreads, g.N);
                int per = (g.N + workers - 1) / workers;
                workers = (g.N + per - 1) / per;
                var partials = new float[workers][];
                CpuParallel.For(workers, ImageMacs(g) * per, (t0, t1) =>
                {
                    var cols = RentColumns(pool, g);
                    for (int t = t0; t < t1; t++)
                    {
                        float[] target = t == 0 ? dwd : partials[t] = pool.Rent(size, zero: false);
                        int offset = t == 0 ? gradW.Offset : 0;
                        int end = Math.Min(g.N, (t + 1) * per);
                        for (int n = t * per; n < end; n++)
                            BackwardWeightImage(g, x, gradY, target, offset, n, cols, accumulate: n > t * per, parallel: false);
                    }
                    if (cols is not null) pool.Return(cols);
                });
                var sum = dwd.AsSpan(gradW.Offset, size);
                for (int t = 1; t < workers; t++)
                {
                    TensorPrimitives.Add(sum, partials[t].AsSpan(0, size), sum);
                    pool.Return(partials[t]);
                }
                return;
            }
            case ConvSchedule.ImageAtATime:
            {
                var cols = RentColumns(pool, g);
                for (int n = 0; n < g.N; n++)
                    BackwardWeightImage(g, x, gradY, dwd, gradW.Offset, n, cols, accumulate: n > 0, parallel: true);
                if (cols is not null) pool.Return(cols);
                return;
            }
        }

        float[] xd = Data(x), dyd = Data(gradY);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows, chunk = ImagesPerChunk(g);
        var colsBuf = pool.Rent(g.Rows * chunk * pixels, zero: false);
        var gathered = pool.Rent(g.O * chunk * pixels, zero: false);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int count = Math.Min(chunk, g.N - n0), width = count * pixels;
            PatchColumns.Unfold(g, xd, x.Offset, n0, count, colsBuf, 0, pixels, width);
            Gather(g, dyd, gradY.Offset, n0, count, gathered, width);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(og, kg, width,
                    gathered, grp * og * width, width, 1,
                    colsBuf, grp * kg * width, 1, width,
                    dwd, gradW.Offset + grp * og * kg, kg, accumulate: n0 > 0);
        }
        pool.Return(colsBuf);
        pool.Return(gathered);
    }

    /// <summary>One image of the forward pass: bias rows, im2col, then a GEMM per group that accumulates onto the bias.</summary>
    private static void ForwardImage(in ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y, int n, float[]? cols, bool parallel)
    {
        float[] xd = Data(x), wd = Data(w), yd = Data(y);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        int yo = y.Offset + n * g.O * pixels;
        if (bias is not null)
        {
            float[] bd = Data(bias);
            for (int o = 0; o < g.O; o++) yd.AsSpan(yo + o * pixels, pixels).Fill(bd[bias.Offset + o]);
        }
        float[] b = cols ?? xd;
        int bBase = cols is null ? x.Offset + n * g.C * pixels : 0;
        if (cols is not null) PatchColumns.Unfold(g, xd, x.Offset, n, 1, cols, 0, 0, pixels, parallel);
        for (int grp = 0; grp < g.Groups; grp++)
            Gemm.Multiply(og, pixels, kg,
                wd, w.Offset + grp * og * kg, kg, 1,
                b, bBase + grp * kg * pixels, pixels, 1,
                yd, yo + grp * og * pixels, pixels, accumulate: bias is not null);
    }

    /// <summary>One image of backward-input: a GEMM per group into the columns (or, pointwise, into gradX), then col2im.</summary>
    private static void BackwardInputImage(in ConvGeometry g, Tensor gradY, Tensor w, Tensor gradX, int n, float[]? cols, bool parallel)
    {
        float[] dyd = Data(gradY), wd = Data(w), dxd = Data(gradX);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        float[] c = cols ?? dxd;
        int cBase = cols is null ? gradX.Offset + n * g.C * pixels : 0;
        int dyo = gradY.Offset + n * g.O * pixels;
        for (int grp = 0; grp < g.Groups; grp++)
            Gemm.Multiply(kg, pixels, og,
                wd, w.Offset + grp * og * kg, 1, kg,
                dyd, dyo + grp * og * pixels, pixels, 1,
                c, cBase + grp * kg * pixels, pixels, accumulate: false);
        if (cols is not null) PatchColumns.Fold(g, cols, 0, 0, pixels, dxd, gradX.Offset, n, 1, parallel);
    }

    /// <summary>One image of backward-weight: im2col, then <c>dW[g] (+)= dY[g] @ cols[g]^T</c> per group.</summary>
    private static void BackwardWeightImage(in ConvGeometry g, Tensor x, Tensor gradY, float[] dw, int dwOffset, int n,
        float[]? cols, bool accumulate, bool parallel)
    {
        float[] xd = Data(x), dyd = Data(gradY);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        float[] b = cols ?? xd;
        int bBase = cols is null ? x.Offset + n * g.C * pixels : 0;
        if (cols is not null) PatchColumns.Unfold(g, xd, x.Offset, n, 1, cols, 0, 0, pixels, parallel);
        int dyo = gradY.Offset + n * g.O * pixels;
        for (int grp = 0; grp < g.Groups; grp++)
            Gemm.Multiply(og, kg, pixels,
                dyd, dyo + grp * og * pixels, pixels, 1,
                b, bBase + grp * kg * pixels, 1, pixels,
                dw, dwOffset + grp * og * kg, kg, accumulate);
    }

    /// <summary>
    /// How many images share one column matrix: enough to reach <see cref="TargetColumns"/> columns without exceeding
    /// <see cref="MaxColumnFloats"/>.
    /// </summary>
    internal static int ImagesPerChunk(in ConvGeometry g)
    {
        int pixels = Math.Max(1, g.Pixels);
        int images = Math.Min(g.N, (TargetColumns + pixels - 1) / pixels);
        long perImage = (long)Math.Max(g.Rows, g.O) * pixels;
        images = (int)Math.Min(images, Math.Max(1, MaxColumnFloats / Math.Max(1, perImage)));
        return Math.Max(1, images);
    }

    private static long ImageMacs(in ConvGeometry g) => Math.Max(1, (long)g.O * g.Pixels * g.GroupRows);

    /// <summary>A column buffer for one image, or null for a pointwise convolution (which reads the input in place).</summary>
    private static float[]? RentColumns(BufferPool pool, in ConvGeometry g) =>
        g.IsPointwise ? null : pool.Rent(g.Rows * g.Pixels, zero: false);

    /// <summary>
    /// Moves a batched GEMM result <c>[O, count*OH*OW]</c> into images <c>first ..</c> of y <c>[N, O, OH, OW]</c>,
    /// adding the bias on the way.
    /// </summary>
    private static void Scatter(in ConvGeometry g, float[] product, int width, float[] y, int yOffset, int first, int count, Tensor? bias)
    {
        int o = g.O, pixels = g.Pixels;
        float[]? bd = bias is null ? null : Data(bias);
        int bo = bias?.Offset ?? 0;
        CpuParallel.For(count * o, pixels, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / o, ch = t % o;
                var src = product.AsSpan(ch * width + i * pixels, pixels);
                var dst = y.AsSpan(yOffset + ((first + i) * o + ch) * pixels, pixels);
                if (bd is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, bd[bo + ch], dst);
            }
        });
    }

    /// <summary>The inverse of <see cref="Scatter"/>: images <c>first ..</c> of dY side by side as <c>[O, count*OH*OW]</c>.</summary>
    private static void Gather(in ConvGeometry g, float[] gradY, int offset, int first, int count, float[] gathered, int width)
    {
        int o = g.O, pixels = g.Pixels;
        CpuParallel.For(count * o, pixels, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / o, ch = t % o;
                gradY.AsSpan(offset + ((first + i) * o + ch) * pixels, pixels).CopyTo(gathered.AsSpan(ch * width + i * pixels, pixels));
            }
        });
    }

    private static float[] Data(Tensor t) => ((CpuStorage)t.Storage).Data;

    private static BufferPool PoolOf(Tensor t) => ((CpuBackend)t.Device.Backend).Pool;
}
