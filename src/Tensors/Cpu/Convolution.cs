using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Convolution as im2col plus GEMM (<see cref="PatchColumns"/>, <see cref="Gemm"/>). Per image and group:
/// forward <c>Y[g] = W[g] @ cols[g]</c>, backward-input <c>cols[g] = W[g]^T @ dY[g]</c> then col2im,
/// backward-weight <c>dW[g] += dY[g] @ cols[g]^T</c>; transposed operands are read in place through strides.
/// A 1x1 kernel with unit stride and no padding skips im2col: the input planes already are the column matrix.
/// Layers that fit the core's L2 take the column-free kernels first (<see cref="ImplicitConvolution"/> for the forward
/// pass and the weight gradient, <see cref="ImplicitInputGradient"/> for the input gradient) unless a schedule is forced.
/// </summary>
/// <remarks>
/// <para>Work is cut into tiles (<see cref="ConvTiling"/>) of a few hundred to a few thousand GEMM columns, so that
/// each column matrix is still in cache when the GEMM reads it. A large image is cut into bands of output rows;
/// the GEMM then reads and writes its band of the image in place (leading dimension OH*OW). Small images are put
/// side by side in one column matrix <c>[C*kh*kw, images*OH*OW]</c> so the GEMM is wide enough to run well; its
/// result <c>[O, images*OH*OW]</c> is scattered into <c>[N, O, OH, OW]</c> (and dY gathered the other way).</para>
/// <para>Three schedules (<see cref="ConvSchedule"/>): when the batch splits evenly across the threads, or an
/// image's product is too small for a multi-threaded GEMM, each thread takes its own run of images with its own
/// buffers and single-threaded GEMMs; for backward-weight each thread sums into its own partial dW and the
/// partials are added in thread order, so no two threads write one gradient. Otherwise tiles run one after
/// another with the GEMM and the unfolding split across threads.</para>
/// </remarks>
internal static class Convolution
{
    /// <summary>
    /// Multiply-adds below which <see cref="Gemm"/> keeps a product on the calling thread: an image whose whole
    /// product is under it is too small for a multi-threaded GEMM, so images go to threads even when the batch does
    /// not split evenly.
    /// </summary>
    internal static long ThreadGemmMacs = 1L << 21;

    /// <summary>Smallest fraction of the threads that must be busy for the per-thread schedule when images are large.</summary>
    internal static double MinThreadBalance = 0.75;

    /// <summary>Output pixels per image from which one image alone makes a wide enough multi-threaded GEMM.</summary>
    internal static int DirectPixels = 1024;

    /// <summary>GEMM columns of a tile in the per-thread schedule: its column matrix should stay in the core's L2.</summary>
    internal static int ThreadColumns = 256;

    /// <summary>GEMM columns of a tile shared by all threads.</summary>
    internal static int SharedColumns = 4096;

    /// <summary>Upper bound, in floats, on one column or staging matrix.</summary>
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
            if (ImageMacs(g) <= ThreadGemmMacs || balance >= MinThreadBalance) return ConvSchedule.PerThread;
            if (g.Pixels < DirectPixels) return ConvSchedule.BatchedColumns;
        }
        return ConvSchedule.ImageAtATime;
    }

    /// <summary>Shape: x <c>[N, C, H, W]</c>, w <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> or null, y <c>[N, O, OH, OW]</c>.</summary>
    public static void Forward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y, ConvSchedule? schedule = null)
    {
        var g = ConvGeometry.Of(x.Shape, w.Shape, p);
        float[] xd = Data(x), wd = Data(w), yd = Data(y);
        float[]? bd = bias is null ? null : Data(bias);
        int bo = bias?.Offset ?? 0;
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        // A forced schedule (the tests' way to reach each im2col path) keeps the im2col kernels.
        if (schedule is null && ImplicitConvolution.TryForward(g, xd, x.Offset, wd, w.Offset, bd, bo, yd, y.Offset, PoolOf(x))) return;
        Run(g, PoolOf(x), schedule ?? Choose(g), (tile, ws, parallel) =>
        {
            int n = tile.First;
            if (tile.Count == 1)
            {
                // A band of one image: the GEMM accumulates onto the bias, straight into y (leading dimension OH*OW).
                int start = tile.RowStart * g.OW, width = (tile.RowEnd - tile.RowStart) * g.OW;
                int yo = y.Offset + n * g.O * pixels + start;
                if (bd is not null)
                    for (int o = 0; o < g.O; o++) yd.AsSpan(yo + o * pixels, width).Fill(bd[bo + o]);
                var (b, bBase, ldb) = g.IsPointwise
                    ? (xd, x.Offset + n * g.C * pixels + start, pixels)
                    : (ws.Columns!, 0, width);
                if (!g.IsPointwise) PatchColumns.Unfold(g, xd, x.Offset, n, 1, tile.RowStart, tile.RowEnd, b, 0, 0, width, parallel);
                for (int grp = 0; grp < g.Groups; grp++)
                    Gemm.Multiply(og, width, kg,
                        wd, w.Offset + grp * og * kg, kg, 1,
                        b, bBase + grp * kg * ldb, ldb, 1,
                        yd, yo + grp * og * pixels, pixels, accumulate: bd is not null);
                return;
            }
            int cols = tile.Count * pixels;
            PatchColumns.Unfold(g, xd, x.Offset, n, tile.Count, ws.Columns!, 0, pixels, cols, parallel);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(og, cols, kg,
                    wd, w.Offset + grp * og * kg, kg, 1,
                    ws.Columns!, grp * kg * cols, cols, 1,
                    ws.Staging!, grp * og * cols, cols, accumulate: false);
            Scatter(g, ws.Staging!, cols, yd, y.Offset, n, tile.Count, bd, bo, parallel);
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
        if (schedule is null && ImplicitInputGradient.TryBackwardInput(g, dyd, gradY.Offset, wd, w.Offset, dxd, gradX.Offset, PoolOf(gradY))) return;
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        Run(g, PoolOf(gradY), schedule ?? Choose(g), (tile, ws, parallel) =>
        {
            int n = tile.First;
            if (tile.Count == 1)
            {
                int start = tile.RowStart * g.OW, width = (tile.RowEnd - tile.RowStart) * g.OW;
                int dyo = gradY.Offset + n * g.O * pixels + start;
                // Pointwise: the band of gradX is its own column matrix, so the GEMM writes it directly.
                var (c, cBase, ldc) = g.IsPointwise
                    ? (dxd, gradX.Offset + n * g.C * pixels + start, pixels)
                    : (ws.Columns!, 0, width);
                for (int grp = 0; grp < g.Groups; grp++)
                    Gemm.Multiply(kg, width, og,
                        wd, w.Offset + grp * og * kg, 1, kg,
                        dyd, dyo + grp * og * pixels, pixels, 1,
                        c, cBase + grp * kg * ldc, ldc, accumulate: false);
                if (!g.IsPointwise)
                    PatchColumns.Fold(g, c, 0, 0, width, dxd, gradX.Offset, n, 1, tile.RowStart, tile.RowEnd,
                        clear: tile.RowStart == 0, parallel);
                return;
            }
            int cols = tile.Count * pixels;
            Gather(g, dyd, gradY.Offset, n, tile.Count, ws.Staging!, cols, parallel);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(kg, cols, og,
                    wd, w.Offset + grp * og * kg, 1, kg,
                    ws.Staging!, grp * og * cols, cols, 1,
                    ws.Columns!, grp * kg * cols, cols, accumulate: false);
            PatchColumns.Fold(g, ws.Columns!, 0, pixels, cols, dxd, gradX.Offset, n, tile.Count, parallel);
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
        if (schedule is null && ImplicitConvolution.TryBackwardWeight(g, xd, x.Offset, dyd, gradY.Offset, dwd, gradW.Offset, pool)) return;
        var chosen = schedule ?? Choose(g);
        // Worker t > 0 of the per-thread schedule sums into partials[t]; worker 0 (every tile of the other schedules) into gradW.
        int workers = chosen == ConvSchedule.PerThread ? Workers(g).Count : 1;
        var partials = new float[workers][];
        partials[0] = dwd;
        for (int t = 1; t < workers; t++) partials[t] = pool.Rent(size, zero: false);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;

        Run(g, pool, chosen, (tile, ws, parallel) =>
        {
            int n = tile.First;
            float[] target = partials[tile.Worker];
            int offset = tile.Worker == 0 ? gradW.Offset : 0;
            bool accumulate = !tile.IsFirst;
            if (tile.Count == 1)
            {
                int start = tile.RowStart * g.OW, width = (tile.RowEnd - tile.RowStart) * g.OW;
                int dyo = gradY.Offset + n * g.O * pixels + start;
                var (b, bBase, ldb) = g.IsPointwise
                    ? (xd, x.Offset + n * g.C * pixels + start, pixels)
                    : (ws.Columns!, 0, width);
                if (!g.IsPointwise) PatchColumns.Unfold(g, xd, x.Offset, n, 1, tile.RowStart, tile.RowEnd, b, 0, 0, width, parallel);
                for (int grp = 0; grp < g.Groups; grp++)
                    Gemm.Multiply(og, kg, width,
                        dyd, dyo + grp * og * pixels, pixels, 1,
                        b, bBase + grp * kg * ldb, 1, ldb,
                        target, offset + grp * og * kg, kg, accumulate);
                return;
            }
            int cols = tile.Count * pixels;
            PatchColumns.Unfold(g, xd, x.Offset, n, tile.Count, ws.Columns!, 0, pixels, cols, parallel);
            Gather(g, dyd, gradY.Offset, n, tile.Count, ws.Staging!, cols, parallel);
            for (int grp = 0; grp < g.Groups; grp++)
                Gemm.Multiply(og, kg, cols,
                    ws.Staging!, grp * og * cols, cols, 1,
                    ws.Columns!, grp * kg * cols, 1, cols,
                    target, offset + grp * og * kg, kg, accumulate);
        });

        var sum = dwd.AsSpan(gradW.Offset, size);
        for (int t = 1; t < workers; t++)
        {
            TensorPrimitives.Add(sum, partials[t].AsSpan(0, size), sum);
            pool.Return(partials[t]);
        }
    }

    /// <summary>The work of one tile; <c>parallel</c> says whether it may split its own work across threads.</summary>
    private delegate void TileWork(ConvTile tile, ConvWorkspace workspace, bool parallel);

    /// <summary>Runs <paramref name="body"/> over every tile of the batch, as <paramref name="schedule"/> says.</summary>
    private static void Run(in ConvGeometry g, BufferPool pool, ConvSchedule schedule, TileWork body)
    {
        var geo = g;
        if (schedule == ConvSchedule.PerThread)
        {
            var (workers, per) = Workers(g);
            // The workers run on the ThreadTeam, so a GEMM they call finds the team busy and runs on its worker alone:
            // tiles can be as wide as the cache allows, whatever the size of the product.
            var tiling = ConvTiling.For(g, ThreadColumns, per, MaxColumnFloats);
            CpuParallel.For(workers, ImageMacs(g) * per, (t0, t1) =>
            {
                var ws = ConvWorkspace.Rent(pool, geo, tiling);
                for (int t = t0; t < t1; t++)
                    Tiles(geo, tiling, t, t * per, Math.Min(geo.N, (t + 1) * per), ws, body, parallel: false);
                ws.Return();
            });
            return;
        }
        var shared = schedule == ConvSchedule.BatchedColumns
            ? ConvTiling.For(g, SharedColumns, g.N, MaxColumnFloats)
            : ConvTiling.For(g, SharedColumns, 1, MaxColumnFloats);
        var workspace = ConvWorkspace.Rent(pool, g, shared);
        Tiles(g, shared, 0, 0, g.N, workspace, body, parallel: true);
        workspace.Return();
    }

    /// <summary>Runs the tiles of images <c>[start, end)</c> in order on the calling thread.</summary>
    private static void Tiles(in ConvGeometry g, ConvTiling tiling, int worker, int start, int end, ConvWorkspace ws,
        TileWork body, bool parallel)
    {
        bool isFirst = true;
        for (int n = start; n < end; n += tiling.Images)
        {
            int count = Math.Min(tiling.Images, end - n);
            if (count > 1)
            {
                body(new ConvTile(worker, n, count, 0, g.OH, isFirst), ws, parallel);
                isFirst = false;
                continue;
            }
            for (int r = 0; r < g.OH; r += tiling.Rows)
            {
                body(new ConvTile(worker, n, 1, r, Math.Min(g.OH, r + tiling.Rows), isFirst), ws, parallel);
                isFirst = false;
            }
        }
    }

    /// <summary>Threads of the per-thread schedule and the run of images each takes.</summary>
    private static (int Count, int PerWorker) Workers(in ConvGeometry g)
    {
        int workers = Math.Max(1, Math.Min(CpuParallel.MaxThreads, g.N));
        int per = (g.N + workers - 1) / workers;
        return ((g.N + per - 1) / per, per);
    }

    private static long ImageMacs(in ConvGeometry g) => Math.Max(1, (long)g.O * g.Pixels * g.GroupRows);

    /// <summary>
    /// Moves a tile's GEMM result <c>[O, count*OH*OW]</c> into images <c>first ..</c> of y <c>[N, O, OH, OW]</c>,
    /// adding the bias on the way.
    /// </summary>
    private static void Scatter(in ConvGeometry g, float[] product, int width, float[] y, int yOffset, int first, int count,
        float[]? bias, int biasOffset, bool parallel)
    {
        int o = g.O, pixels = g.Pixels;
        void Rows(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / o, ch = t % o;
                var src = product.AsSpan(ch * width + i * pixels, pixels);
                var dst = y.AsSpan(yOffset + ((first + i) * o + ch) * pixels, pixels);
                if (bias is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, bias[biasOffset + ch], dst);
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
