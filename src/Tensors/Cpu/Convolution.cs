namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Convolution as im2col plus GEMM (<see cref="PatchColumns"/>, <see cref="Gemm"/>). Per image and group:
/// forward <c>Y[g] = W[g] @ cols[g]</c>, backward-input <c>cols[g] = W[g]^T @ dY[g]</c> then col2im,
/// backward-weight <c>dW[g] += dY[g] @ cols[g]^T</c>; transposed operands are read in place through strides.
/// </summary>
/// <remarks>
/// Large feature maps run one image at a time and the GEMM writes straight into the output. Small ones would
/// give GEMMs too narrow to run well, so several images are unfolded side by side into one column matrix
/// <c>[C*kh*kw, images*OH*OW]</c>; the GEMM result <c>[O, images*OH*OW]</c> is then scattered into <c>[N, O, OH, OW]</c>
/// (and dY is gathered the other way). Backward-weight accumulates every chunk into dW in turn, so no two
/// threads ever write the same gradient. Column buffers come from the backend's <see cref="BufferPool"/>, so a
/// training step that repeats the same shapes reuses them.
/// </remarks>
internal static class Convolution
{
    /// <summary>Feature maps with at least this many output pixels run one image per GEMM.</summary>
    internal static int DirectPixels = 1024;

    /// <summary>Width the batched column matrix aims for when images are small.</summary>
    internal static int TargetColumns = 4096;

    /// <summary>Upper bound, in floats, on one batched column matrix (it stays cache- and memory-friendly).</summary>
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

    /// <summary>Shape: x <c>[N, C, H, W]</c>, w <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> or null, y <c>[N, O, OH, OW]</c>.</summary>
    public static void Forward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p, Tensor y)
    {
        var g = ConvGeometry.Of(x.Shape, w.Shape, p);
        float[] xd = Data(x), wd = Data(w), yd = Data(y);
        float[]? bd = bias is null ? null : Data(bias);
        int bo = bias?.Offset ?? 0;
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        var pool = PoolOf(x);

        int chunk = ImagesPerChunk(g);
        if (chunk == 1)
        {
            float[]? cols = g.IsPointwise ? null : pool.Rent(g.Rows * pixels, zero: false);
            try
            {
                for (int n = 0; n < g.N; n++)
                {
                    int yo = y.Offset + n * g.O * pixels;
                    if (bd is not null) FillRows(yd, yo, bd, bo, g.O, pixels);
                    float[] b = cols ?? xd;
                    int bBase = cols is null ? x.Offset + n * g.C * pixels : 0;
                    if (cols is not null) PatchColumns.Unfold(g, xd, x.Offset, n, 1, cols, 0, 0, pixels);
                    for (int grp = 0; grp < g.Groups; grp++)
                        Gemm.Multiply(og, pixels, kg,
                            wd, w.Offset + grp * og * kg, kg, 1,
                            b, bBase + grp * kg * pixels, pixels, 1,
                            yd, yo + grp * og * pixels, pixels, accumulate: bd is not null);
                }
            }
            finally
            {
                if (cols is not null) pool.Return(cols);
            }
            return;
        }

        var colsBuf = pool.Rent(g.Rows * chunk * pixels, zero: false);
        var product = pool.Rent(g.O * chunk * pixels, zero: false);
        try
        {
            for (int n0 = 0; n0 < g.N; n0 += chunk)
            {
                int count = Math.Min(chunk, g.N - n0), width = count * pixels;
                PatchColumns.Unfold(g, xd, x.Offset, n0, count, colsBuf, 0, pixels, width);
                for (int grp = 0; grp < g.Groups; grp++)
                    Gemm.Multiply(og, width, kg,
                        wd, w.Offset + grp * og * kg, kg, 1,
                        colsBuf, grp * kg * width, width, 1,
                        product, grp * og * width, width, accumulate: false);
                Scatter(g, product, width, yd, y.Offset, n0, count, bd, bo);
            }
        }
        finally
        {
            pool.Return(colsBuf);
            pool.Return(product);
        }
    }

    /// <summary>Shape: gradY <c>[N, O, OH, OW]</c>, w <c>[O, C/groups, kh, kw]</c>, gradX <c>[N, C, H, W]</c> (overwritten).</summary>
    public static void BackwardInput(Tensor gradY, Tensor w, Conv2dParams p, Tensor gradX)
    {
        var g = ConvGeometry.Of(gradX.Shape, w.Shape, p);
        float[] dyd = Data(gradY), wd = Data(w), dxd = Data(gradX);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        if (g.O == 0)
        {
            dxd.AsSpan(gradX.Offset, gradX.Numel).Clear();
            return;
        }
        var pool = PoolOf(gradY);

        int chunk = ImagesPerChunk(g);
        if (chunk == 1)
        {
            float[]? cols = g.IsPointwise ? null : pool.Rent(g.Rows * pixels, zero: false);
            try
            {
                for (int n = 0; n < g.N; n++)
                {
                    // Pointwise: the column matrix is the gradient image itself, so the GEMM writes gradX directly.
                    float[] c = cols ?? dxd;
                    int cBase = cols is null ? gradX.Offset + n * g.C * pixels : 0;
                    int dyo = gradY.Offset + n * g.O * pixels;
                    for (int grp = 0; grp < g.Groups; grp++)
                        Gemm.Multiply(kg, pixels, og,
                            wd, w.Offset + grp * og * kg, 1, kg,
                            dyd, dyo + grp * og * pixels, pixels, 1,
                            c, cBase + grp * kg * pixels, pixels, accumulate: false);
                    if (cols is not null) PatchColumns.Fold(g, cols, 0, 0, pixels, dxd, gradX.Offset, n, 1);
                }
            }
            finally
            {
                if (cols is not null) pool.Return(cols);
            }
            return;
        }

        var colsBuf = pool.Rent(g.Rows * chunk * pixels, zero: false);
        var gathered = pool.Rent(g.O * chunk * pixels, zero: false);
        try
        {
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
        }
        finally
        {
            pool.Return(colsBuf);
            pool.Return(gathered);
        }
    }

    /// <summary>Shape: x <c>[N, C, H, W]</c>, gradY <c>[N, O, OH, OW]</c>, gradW <c>[O, C/groups, kh, kw]</c> (overwritten).</summary>
    public static void BackwardWeight(Tensor x, Tensor gradY, Conv2dParams p, Tensor gradW)
    {
        var g = ConvGeometry.Of(x.Shape, gradW.Shape, p);
        float[] xd = Data(x), dyd = Data(gradY), dwd = Data(gradW);
        int pixels = g.Pixels, og = g.GroupOutputs, kg = g.GroupRows;
        if (g.N == 0)
        {
            dwd.AsSpan(gradW.Offset, gradW.Numel).Clear();
            return;
        }
        var pool = PoolOf(x);

        int chunk = ImagesPerChunk(g);
        if (chunk == 1)
        {
            float[]? cols = g.IsPointwise ? null : pool.Rent(g.Rows * pixels, zero: false);
            try
            {
                for (int n = 0; n < g.N; n++)
                {
                    float[] b = cols ?? xd;
                    int bBase = cols is null ? x.Offset + n * g.C * pixels : 0;
                    if (cols is not null) PatchColumns.Unfold(g, xd, x.Offset, n, 1, cols, 0, 0, pixels);
                    int dyo = gradY.Offset + n * g.O * pixels;
                    for (int grp = 0; grp < g.Groups; grp++)
                        Gemm.Multiply(og, kg, pixels,
                            dyd, dyo + grp * og * pixels, pixels, 1,
                            b, bBase + grp * kg * pixels, 1, pixels,
                            dwd, gradW.Offset + grp * og * kg, kg, accumulate: n > 0);
                }
            }
            finally
            {
                if (cols is not null) pool.Return(cols);
            }
            return;
        }

        var colsBuf = pool.Rent(g.Rows * chunk * pixels, zero: false);
        var gathered = pool.Rent(g.O * chunk * pixels, zero: false);
        try
        {
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
        }
        finally
        {
            pool.Return(colsBuf);
            pool.Return(gathered);
        }
    }

    /// <summary>
    /// How many images share one column matrix: one when an image alone gives a wide enough GEMM, otherwise
    /// enough to reach <see cref="TargetColumns"/> columns without exceeding <see cref="MaxColumnFloats"/>.
    /// </summary>
    internal static int ImagesPerChunk(in ConvGeometry g)
    {
        int pixels = Math.Max(1, g.Pixels);
        if (pixels >= DirectPixels || g.N <= 1) return 1;
        int images = Math.Min(g.N, (TargetColumns + pixels - 1) / pixels);
        long perImage = (long)Math.Max(g.Rows, g.O) * pixels;
        images = (int)Math.Min(images, Math.Max(1, MaxColumnFloats / Math.Max(1, perImage)));
        return Math.Max(1, images);
    }

    /// <summary>
    /// Moves a batched GEMM result <c>[O, count*OH*OW]</c> into images <c>first ..</c> of y <c>[N, O, OH, OW]</c>,
    /// adding the bias on the way.
    /// </summary>
    private static void Scatter(in ConvGeometry g, float[] product, int width, float[] y, int yOffset, int first, int count,
        float[]? bias, int biasOffset)
    {
        int o = g.O, pixels = g.Pixels;
        CpuParallel.For(count * o, pixels, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int i = t / o, ch = t % o;
                var src = product.AsSpan(ch * width + i * pixels, pixels);
                var dst = y.AsSpan(yOffset + ((first + i) * o + ch) * pixels, pixels);
                if (bias is null) src.CopyTo(dst);
                else System.Numerics.Tensors.TensorPrimitives.Add(src, bias[biasOffset + ch], dst);
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

    /// <summary>Sets row <c>r</c> of a <c>[rows, length]</c> block to <c>values[r]</c>, so the GEMM can accumulate onto the bias.</summary>
    private static void FillRows(float[] y, int offset, float[] values, int valuesOffset, int rows, int length)
    {
        for (int r = 0; r < rows; r++) y.AsSpan(offset + r * length, length).Fill(values[valuesOffset + r]);
    }

    private static float[] Data(Tensor t) => ((CpuStorage)t.Storage).Data;

    private static BufferPool PoolOf(Tensor t) => ((CpuBackend)t.Device.Backend).Pool;
}
