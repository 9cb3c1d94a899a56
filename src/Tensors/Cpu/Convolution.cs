using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Convolution as im2col plus GEMM (<see cref="PatchColumns"/>, <see cref="Gemm"/>). Per image and group:
/// forward <c>Y[g] = W[g] @ cols[g]</c>, backward-input <c>cols[g] = W[g]^T @ dY[g]</c> then col2im,
/// backward-weight <c>dW[g] += dY[g] @ cols[g]^T</c>; transposed operands are read in place through strides.
/// A 1x1 kernel with unit stride and no padding skips im2col: the input planes already are the column matrix.
/// </summary>
/// <remarks>
/// <para>Images are processed in groups. A group of one image has the GEMM write straight into the output (and
/// read dY in place). A group of several small images is unfolded side by side into one column matrix
/// <c>[C*kh*kw, images*OH*OW]</c>, so that a single wider GEMM covers it; its result <c>[O, images*OH*OW]</c> is then
/// scattered into <c>[N, O, OH, OW]</c> (and dY gathered the other way).</para>
/// <para>Three schedules (<see cref="ConvSchedule"/>): when the batch splits evenly across the threads, or an image's
/// product is too small for a multi-threaded GEMM, each thread takes its own run of images with its own buffers and
/// single-threaded GEMMs (for backward-weight each thread sums into its own partial dW, and the partials are added
/// in thread order, so no two threads write one gradient). Otherwise groups run one after another with the GEMM
/// and the unfolding split across threads: batched groups for small feature maps, single images for large ones.</para>
/// </remarks>
internal static class Convolution
{
    /// <summary>Multiply-adds of one image's product up to which a multi-threaded GEMM cannot pay, so images go to threads.</summary>
    internal static long ThreadImageMacs = 1L << 21;

    /// <summary>Smallest fraction of the threads that must be busy for the per-thread schedule when images are large.</summary>
    internal static double MinThreadBalance = 0.75;

    /// <summary>Output pixels per image from which one image alone makes a wide enough GEMM.</summary>
    internal static int DirectPixels = 1024;

    /// <summary>Columns a thread's own group of images aims for: wide enough for the GEMM, small enough to stay in L2.</summary>
    internal static int ThreadColumns = 256;

    /// <summary>Columns a batched group (all threads) aims for.</summary>
    internal static int TargetColumns = 4096;

    /// <summary>Upper bound, in floats, on one column or staging matrix of a group of several images.</summary>
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

    /// <summary>The schedule the passes use for geometry <paramref name="g"/> on <see cref="CpuParallel.MaxThreads"/> threads.</summary>
    internal static ConvSchedule Choose(in ConvGeometry g)
    {
        if (g.N > 1)
        {
            int threads = CpuParallel.MaxThreads;
            double balance = (double)g.N / (threads * ((g.N + threads - 1) / threads));
            if (ImageMacs(g) <= ThreadImageMacs || balance >= MinThreadBalance) return ConvSchedule.PerThread;
            if (g.Pixels < DirectPixels) return ConvSchedule.BatchedColumns;
        }
        return ConvSchedule.ImageAtATime;
    }

    /// <summary>Shape: x <c>[N, C, H, W]</c>, w <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> or null, y <c>[N, O, OH, OW]</c>.</summary>
    public static void Forward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(x.Shape, w.Shape, p);
        float[] xd = Data(x), wd = Data(w), yd = Data(y);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        Run(g, PoolOf(x), schedule ?? Choose(g), (_, first, count, _, ws, parallel) =>
        {
            if (count == 1)
            {
                ForwardImage(g, x, w, bias, y, first, ws.Columns, parallel);
                return;
            }
            int width = count * pixels;
            PatchColumns.Unfold(g, xd, x.Offset, first, count, ws.Columns!, 0, pixels, width, parallel);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(og, width, kg,
                    wd, w.Offset + grp * og * kg, kg, 1,
                    ws.Columns!, grp * kg * width, width, 1,
                    ws.Staging!, grp * og * width, width, accumulate: false);
            Scatter(g, ws.Staging!, width, yd, y.Offset, first, count, bias, parallel);
        });
    }

    /// <summary>Shape: gradY <c>[N, O, OH, OW]</c>, w <c>[O, C/groups, kh, kw]</c>, gradX <c>[N, C, H, W]</c> (overwritten).</summary>
    public static void BackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(gradX.Shape, w.Shape, p);
        float[] dyd = Data(gradY), wd = Data(w), dxd = Data(gradX);
        if (g.O == 0)
        {
            dxd.AsSpan(gradX.Offset, gradX.Numel).Clear();
            return;
        }
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        Run(g, PoolOf(gradY), schedule ?? Choose(g), (_, first, count, _, ws, parallel) =>
        {
            if (count == 1)
            {
                BackwardInputImage(g, gradY, w, gradX, first, ws.Columns, parallel);
                return;
            }
            int width = count * pixels;
            Gather(g, dyd, gradY.Offset, first, count, ws.Staging!, width, parallel);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(kg, width, og,
                    wd, w.Offset + grp * og * kg, 1, kg,
                    ws.Staging!, grp * og * width, width, 1,
                    ws.Columns!, grp * kg * width, width, accumulate: false);
            PatchColumns.Fold(g, ws.Columns!, 0, pixels, width, dxd, gradX.Offset, first, count, parallel);
        });
    }

    /// <summary>Shape: x <c>[N, C, H, W]</c>, gradY <c>[N, O, OH, OW]</c>, gradW <c>[O, C/groups, kh, kw]</c> (overwritten).</summary>
    public static void BackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(x.Shape, gradW.Shape, p);
        float[] xd = Data(x), dyd = Data(gradY), dwd = Data(gradW);
        int size = gradW.Numel;
        if (g.N == 0)
        {
            dwd.AsSpan(gradW.Offset, size).Clear();
            return;
        }
        var pool = PoolOf(x);
        var chosen = schedule ?? Choose(g);
        // Worker t > 0 of the per-thread schedule sums into partials[t]; worker 0 (and every other schedule) into gradW.
        int workers = chosen == ConvSchedule.PerThread ? Workers(g).Count : 1;
        var partials = new float[workers][];
        partials[0] = dwd;
        for (int t = 1; t < workers; t++) partials[t] = pool.Rent(size, zero: false);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;

        Run(g, pool, chosen, (worker, first, count, isFirst, ws, parallel) =>
        {
            float[] target = partials[worker];
            int offset = worker == 0 ? gradW.Offset : 0;
            if (count == 1)
            {
                BackwardWeightImage(g, x, gradY, target, offset, first, ws.Columns, accumulate: !isFirst, parallel);
                return;
            }
            int width = count * pixels;
            PatchColumns.Unfold(g, xd, x.Offset, first, count, ws.Columns!, 0, pixels, width, parallel);
            Gather(g, dyd, gradY.Offset, first, count, ws.Staging!, width, parallel);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(og, kg, width,
                    ws.Staging!, grp * og * width, width, 1,
                    ws.Columns!, grp * kg * width, 1, width,
                    target, offset + grp * og * kg, kg, accumulate: !isFirst);
        });

        var sum = dwd.AsSpan(gradW.Offset, size);
        for (int t = 1; t < workers; t++)
        {
            TensorPrimitives.Add(sum, partials[t].AsSpan(0, size), sum);
            pool.Return(partials[t]);
        }
    }

    /// <summary>
    /// Work on images <c>first .. first+count-1</c> by <c>worker</c>; <c>isFirst</c> marks the worker's first group,
    /// <c>parallel</c> says whether the group may split its own work across threads.
    /// </summary>
    private delegate void ImageGroup(int worker, int first, int count, bool isFirst, ConvWorkspace workspace, bool parallel);

    /// <summary>Runs <paramref name="body"/> over every image of the batch in groups, as <paramref name="schedule"/> says.</summary>
    private static void Run(in ConvGeometry g, BufferPool pool, ConvSchedule schedule, ImageGroup body)
    {
        var geo = g;
        if (schedule == ConvSchedule.PerThread)
        {
            var (workers, per) = Workers(g);
            int group = GroupImages(g, ThreadColumns, per);
            CpuParallel.For(workers, ImageMacs(g) * per, (t0, t1) =>
            {
                var ws = ConvWorkspace.Rent(pool, geo, group);
                for (int t = t0; t < t1; t++)
                {
                    int start = t * per, end = Math.Min(geo.N, start + per);
                    for (int n = start; n < end; n += group) body(t, n, Math.Min(group, end - n), n == start, ws, false);
                }
                ws.Return();
            });
            return;
        }
        int chunk = schedule == ConvSchedule.BatchedColumns ? GroupImages(g, TargetColumns, g.N) : 1;
        var workspace = ConvWorkspace.Rent(pool, g, chunk);
        for (int n = 0; n < g.N; n += chunk) body(0, n, Math.Min(chunk, g.N - n), n == 0, workspace, true);
        workspace.Return();
    }

    /// <summary>Threads of the per-thread schedule and the run of images each takes.</summary>
    private static (int Count, int PerWorker) Workers(in ConvGeometry g)
    {
        int workers = Math.Max(1, Math.Min(CpuParallel.MaxThreads, g.N));
        int per = (g.N + workers - 1) / workers;
        return ((g.N + per - 1) / per, per);
    }

    /// <summary>
    /// Images per group: enough for about <paramref name="columns"/> GEMM columns, at most <paramref name="limit"/>,
    /// with each buffer under <see cref="MaxColumnFloats"/>.
    /// </summary>
    internal static int GroupImages(in ConvGeometry g, int columns, int limit)
    {
        int pixels = Math.Max(1, g.Pixels);
        long perImage = (long)Math.Max(g.Rows, g.O) * pixels;
        long images = Math.Min(Math.Min(limit, (columns + pixels - 1) / pixels), MaxColumnFloats / Math.Max(1, perImage));
        return (int)Math.Max(1, images);
    }

    private static long ImageMacs(in ConvGeometry g) => Math.Max(1, (long)g.O * g.Pixels * g.GroupRows);

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
        bool inPlace = g.IsPointwise;
        float[] b = inPlace ? xd : cols!;
        int bBase = inPlace ? x.Offset + n * g.C * pixels : 0;
        if (!inPlace) PatchColumns.Unfold(g, xd, x.Offset, n, 1, cols!, 0, 0, pixels, parallel);
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
        bool inPlace = g.IsPointwise;
        float[] c = inPlace ? dxd : cols!;
        int cBase = inPlace ? gradX.Offset + n * g.C * pixels : 0;
        int dyo = gradY.Offset + n * g.O * pixels;
        for (int grp = 0; grp < g.Groups; grp++)
            Gemm.Multiply(kg, pixels, og,
                wd, w.Offset + grp * og * kg, 1, kg,
                dyd, dyo + grp * og * pixels, pixels, 1,
                c, cBase + grp * kg * pixels, pixels, accumulate: false);
        if (!inPlace) PatchColumns.Fold(g, cols!, 0, 0, pixels, dxd, gradX.Offset, n, 1, parallel);
    }

    /// <summary>One image of backward-weight: im2col, then <c>dW[g] (+)= dY[g] @ cols[g]^T</c> per group.</summary>
    private static void BackwardWeightImage(in ConvGeometry g, Tensor x, Tensor gradY, float[] dw, int dwOffset, int n,
        float[]? cols, bool accumulate, bool parallel)
    {
        float[] xd = Data(x), dyd = Data(gradY);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        bool inPlace = g.IsPointwise;
        float[] b = inPlace ? xd : cols!;
        int bBase = inPlace ? x.Offset + n * g.C * pixels : 0;
        if (!inPlace) PatchColumns.Unfold(g, xd, x.Offset, n, 1, cols!, 0, 0, pixels, parallel);
        int dyo = gradY.Offset + n * g.O * pixels;
        for (int grp = 0; grp < g.Groups; grp++)
            Gemm.Multiply(og, kg, pixels,
                dyd, dyo + grp * og * pixels, pixels, 1,
                b, bBase + grp * kg * pixels, 1, pixels,
                dw, dwOffset + grp * og * kg, kg, accumulate);
    }

    /// <summary>
    /// Moves a group's GEMM result <c>[O, count*OH*OW]</c> into images <c>first ..</c> of y <c>[N, O, OH, OW]</c>,
    /// adding the bias on the way.
    /// </summary>
    private static void Scatter(in ConvGeometry g, float[] product, int width, float[] y, int yOffset, int first, int count,
        Tensor? bias, bool parallel)
    {
        int o = g.O, pixels = g.Pixels;
        float[]? bd = bias is null ? null : Data(bias);
        int bo = bias?.Offset ?? 0;
        void Rows(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / o, ch = t % o;
                var src = product.AsSpan(ch * width + i * pixels, pixels);
                var dst = y.AsSpan(yOffset + ((first + i) * o + ch) * pixels, pixels);
                if (bd is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, bd[bo + ch], dst);
            }
        }
        if (parallel) CpuParallel.For(count * o, pixels, Rows);
        else Rows(0, count * o);
    }

    /// <summary>The inverse of <see cref="Scatter"/>: images <c>first ..</c> of dY side by side as <c>[O, count*OH*OW]</c>.</summary>
    private static void Gather(in ConvGeometry g, float[] gradY, int offset, int first, int count, float[] gathered, int width, bool parallel)
    {
        int o = g.O, pixels = g.Pixels;
        void Rows(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / o, ch = t % o;
                gradY.AsSpan(offset + ((first + i) * o + ch) * pixels, pixels).CopyTo(gathered.AsSpan(ch * width + i * pixels, pixels));
            }
        }
        if (parallel) CpuParallel.For(count * o, pixels, Rows);
        else Rows(0, count * o);
    }

    private static float[] Data(Tensor t) => ((CpuStorage)t.Storage).Data;

    private static BufferPool PoolOf(Tensor t) => ((CpuBackend)t.Device.Backend).Pool;
}
