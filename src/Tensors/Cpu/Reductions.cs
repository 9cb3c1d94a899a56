namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Reductions and arg-reductions over strided inputs, following a <see cref="ReductionPlan"/>: either every output
/// folds contiguous rows (SIMD row kernels) or output rows accumulate input rows elementwise in tiles (SIMD column
/// kernels). Sums accumulate in double, so results do not drift with size; work is split across cores by output, so
/// each output is always computed in the same order and the result does not depend on the thread count.
/// </summary>
internal static class Reductions
{
    /// <summary>Columns accumulated together in the kept-inner layout; the accumulators live on the stack.</summary>
    private const int Tile = 256;

    public static void Reduce(ReduceOp op, Tensor input, ReadOnlySpan<int> axes, Tensor output, float correction)
    {
        if (input.Numel == 0)
        {
            // Only empty sums, means, variances and log-sum-exps get here: the front end rejects empty max and min.
            Elementwise.Fill(output, op switch { ReduceOp.Sum => 0f, ReduceOp.LogSumExp => float.NegativeInfinity, _ => float.NaN });
            return;
        }
        var plan = ReductionPlan.Create(input, axes, output);
        float[] x = StridedView.DataOf(input), y = StridedView.DataOf(output);
        int xOff = input.Offset, yOff = output.Offset;
        int passes = op is ReduceOp.Variance or ReduceOp.LogSumExp ? 2 : 1;
        if (plan.InnerReduced)
        {
            CpuParallel.For(plan.KeptCount, plan.ReducedCount * passes, (o0, o1) =>
            {
                for (int o = o0; o < o1; o++)
                    y[yOff + plan.KeptYOffset(o)] = ReduceRows(op, plan, x, xOff + plan.KeptXOffset(o), correction);
            });
            return;
        }
        int tiles = (plan.InnerSize + Tile - 1) / Tile;
        CpuParallel.For(plan.KeptCount * tiles, (long)plan.RowCount * Math.Min(Tile, plan.InnerSize) * passes, (u0, u1) =>
        {
            Span<double> acc = stackalloc double[Tile];
            Span<double> acc2 = stackalloc double[Tile];
            Span<float> extremum = stackalloc float[Tile];
            for (int u = u0; u < u1; u++)
            {
                int kept = u / tiles, k0 = u % tiles * Tile, width = Math.Min(Tile, plan.InnerSize - k0);
                int xo = xOff + plan.KeptXOffset(kept) + k0 * plan.InnerXStride;
                int yo = yOff + plan.KeptYOffset(kept) + k0 * plan.InnerYStride;
                ReduceColumns(op, plan, x, xo, acc[..width], acc2[..width], extremum[..width], correction);
                for (int k = 0; k < width; k++)
                    y[yo + k * plan.InnerYStride] = op is ReduceOp.Max or ReduceOp.Min ? extremum[k] : (float)acc[k];
            }
        });
    }

    // One output of the reduced-inner layout: fold every reduced row starting at xo.
    private static float ReduceRows(ReduceOp op, ReductionPlan plan, float[] x, int xo, float correction)
    {
        int n = plan.InnerSize, stride = plan.InnerXStride, rows = plan.RowCount;
        double count = plan.ReducedCount;
        switch (op)
        {
            case ReduceOp.Sum:
            case ReduceOp.Mean:
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += ReductionKernels.Sum(x, xo + plan.RowOffset(r), n, stride);
                return (float)(op == ReduceOp.Sum ? s : s / count);
            }
            case ReduceOp.Max:
            case ReduceOp.Min:
            {
                bool max = op == ReduceOp.Max;
                float m = ReductionKernels.Extremum(max, x, xo, n, stride);
                for (int r = 1; r < rows; r++)
                {
                    float v = ReductionKernels.Extremum(max, x, xo + plan.RowOffset(r), n, stride);
                    m = max ? MathF.Max(m, v) : MathF.Min(m, v);
                }
                return m;
            }
            case ReduceOp.Variance:
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += ReductionKernels.Sum(x, xo + plan.RowOffset(r), n, stride);
                double mean = s / count, ss = 0;
                for (int r = 0; r < rows; r++) ss += ReductionKernels.SumSquaredDeviations(x, xo + plan.RowOffset(r), n, stride, mean);
                return Variance(ss, count, correction);
            }
            case ReduceOp.LogSumExp:
            {
                float m = ReductionKernels.Extremum(true, x, xo, n, stride);
                for (int r = 1; r < rows; r++) m = MathF.Max(m, ReductionKernels.Extremum(true, x, xo + plan.RowOffset(r), n, stride));
                if (float.IsInfinity(m)) return m;
                double s = 0;
                for (int r = 0; r < rows; r++) s += ReductionKernels.SumExp(x, xo + plan.RowOffset(r), n, stride, m);
                return m + (float)Math.Log(s);
            }
            default:
                throw new NotSupportedException($"Reduction {op} has no CPU kernel.");
        }
    }

    // One tile of the kept-inner layout: accumulate every reduced row into acc (sums) or extremum (max/min), leaving
    // the finished value of column k in acc[k] or extremum[k].
    private static void ReduceColumns(ReduceOp op, ReductionPlan plan, float[] x, int xo,
        Span<double> acc, Span<double> acc2, Span<float> extremum, float correction)
    {
        int rows = plan.RowCount, stride = plan.InnerXStride;
        double count = plan.ReducedCount;
        switch (op)
        {
            case ReduceOp.Sum:
            case ReduceOp.Mean:
                acc.Clear();
                for (int r = 0; r < rows; r++) ReductionKernels.AddColumns(x, xo + plan.RowOffset(r), stride, acc);
                if (op == ReduceOp.Mean) for (int k = 0; k < acc.Length; k++) acc[k] /= count;
                return;
            case ReduceOp.Max:
            case ReduceOp.Min:
                FoldExtremum(op == ReduceOp.Max, plan, x, xo, extremum);
                return;
            case ReduceOp.Variance:
                acc2.Clear();
                for (int r = 0; r < rows; r++) ReductionKernels.AddColumns(x, xo + plan.RowOffset(r), stride, acc2);
                for (int k = 0; k < acc2.Length; k++) acc2[k] /= count;
                acc.Clear();
                for (int r = 0; r < rows; r++) ReductionKernels.AddSquaredDeviations(x, xo + plan.RowOffset(r), stride, acc2, acc);
                for (int k = 0; k < acc.Length; k++) acc[k] = Variance(acc[k], count, correction);
                return;
            case ReduceOp.LogSumExp:
                FoldExtremum(true, plan, x, xo, extremum);
                // An infinite maximum is the answer already; such columns are shifted by 0 so their sum stays finite.
                for (int k = 0; k < extremum.Length; k++)
                {
                    acc2[k] = extremum[k];
                    if (float.IsInfinity(extremum[k])) extremum[k] = 0f;
                }
                acc.Clear();
                for (int r = 0; r < rows; r++) ReductionKernels.AddExp(x, xo + plan.RowOffset(r), stride, extremum, acc);
                for (int k = 0; k < acc.Length; k++)
                {
                    float m = (float)acc2[k];
                    acc[k] = float.IsInfinity(m) ? m : m + (float)Math.Log(acc[k]);
                }
                return;
            default:
                throw new NotSupportedException($"Reduction {op} has no CPU kernel.");
        }
    }

    private static void FoldExtremum(bool max, ReductionPlan plan, float[] x, int xo, Span<float> extremum)
    {
        int stride = plan.InnerXStride;
        for (int k = 0; k < extremum.Length; k++) extremum[k] = x[xo + k * stride];
        for (int r = 1; r < plan.RowCount; r++) ReductionKernels.ExtremumColumns(max, x, xo + plan.RowOffset(r), stride, extremum);
    }

    private static float Variance(double sumSquares, double count, float correction)
    {
        double denom = count - correction;
        return denom <= 0 ? float.NaN : (float)(sumSquares / denom);
    }

    public static void ArgReduce(bool max, Tensor input, int axis, Tensor values, Tensor indices)
    {
        float[] x = StridedView.DataOf(input), v = StridedView.DataOf(values), ix = StridedView.DataOf(indices);
        if (input.Shape[axis] == 1)
        {
            Elementwise.Copy(input, values);
            Elementwise.Fill(indices, 0f);
            return;
        }
        // values and indices are contiguous with the same shape, so one set of output offsets serves both.
        var plan = ReductionPlan.Create(input, [axis], values);
        int xOff = input.Offset, vOff = values.Offset, iOff = indices.Offset;
        if (plan.InnerReduced)
        {
            CpuParallel.For(plan.KeptCount, plan.InnerSize, (o0, o1) =>
            {
                for (int o = o0; o < o1; o++)
                {
                    int xo = xOff + plan.KeptXOffset(o), yo = plan.KeptYOffset(o);
                    int best = ReductionKernels.ArgExtremum(max, x, xo, plan.InnerSize, plan.InnerXStride);
                    v[vOff + yo] = x[xo + best * plan.InnerXStride];
                    ix[iOff + yo] = best;
                }
            });
            return;
        }
        int tiles = (plan.InnerSize + Tile - 1) / Tile;
        int axisStride = plan.ReducedXStrides[0];
        CpuParallel.For(plan.KeptCount * tiles, (long)plan.RowCount * Math.Min(Tile, plan.InnerSize), (u0, u1) =>
        {
            Span<float> best = stackalloc float[Tile];
            Span<float> index = stackalloc float[Tile];
            for (int u = u0; u < u1; u++)
            {
                int kept = u / tiles, k0 = u % tiles * Tile, width = Math.Min(Tile, plan.InnerSize - k0);
                int xo = xOff + plan.KeptXOffset(kept) + k0 * plan.InnerXStride;
                int yo = plan.KeptYOffset(kept) + k0 * plan.InnerYStride;
                var b = best[..width];
                var i = index[..width];
                for (int k = 0; k < width; k++) b[k] = x[xo + k * plan.InnerXStride];
                i.Clear();
                for (int r = 1; r < plan.RowCount; r++)
                    ReductionKernels.ArgExtremumColumns(max, x, xo + r * axisStride, plan.InnerXStride, r, b, i);
                for (int k = 0; k < width; k++)
                {
                    v[vOff + yo + k * plan.InnerYStride] = b[k];
                    ix[iOff + yo + k * plan.InnerYStride] = i[k];
                }
            }
        });
    }

    public static void Softmax(Tensor input, int axis, Tensor output, bool log) => SoftmaxKernels.Run(input, axis, output, log);
}
