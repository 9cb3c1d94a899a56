namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Reductions, arg-reductions and softmax. The input is viewed as <c>[kept..., reduced...]</c> (a permutation, no
/// copy): each output element walks its reduced block. Sums accumulate in double, so results do not drift with size.
/// </summary>
internal static class Reductions
{
    public static void Reduce(ReduceOp op, Tensor input, ReadOnlySpan<int> axes, Tensor output, float correction)
    {
        var (kept, reduced) = SplitAxes(input, axes);
        var x = StridedView.Of(input);
        float[] y = StridedView.DataOf(output);
        int yOff = output.Offset;
        int outer = kept.Sizes.Aggregate(1, (p, s) => p * s);
        int inner = reduced.Sizes.Aggregate(1, (p, s) => p * s);
        CpuParallel.For(outer, inner, (o0, o1) =>
        {
            var block = new float[inner];
            for (int o = o0; o < o1; o++)
            {
                int baseOff = Offset(o, kept.Sizes, kept.Strides, x.Offset);
                Collect(x.Data, baseOff, reduced.Sizes, reduced.Strides, block);
                y[yOff + o] = ReduceBlock(op, block, correction);
            }
        });
    }

    public static void ArgReduce(bool max, Tensor input, int axis, Tensor values, Tensor indices)
    {
        var (kept, reduced) = SplitAxes(input, new[] { axis });
        var x = StridedView.Of(input);
        float[] v = StridedView.DataOf(values), ix = StridedView.DataOf(indices);
        int n = reduced.Sizes[0], stride = reduced.Strides[0];
        int outer = kept.Sizes.Aggregate(1, (p, s) => p * s);
        CpuParallel.For(outer, n, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                int baseOff = Offset(o, kept.Sizes, kept.Strides, x.Offset);
                int best = 0;
                float bestValue = x.Data[baseOff];
                for (int i = 1; i < n && !float.IsNaN(bestValue); i++)
                {
                    float value = x.Data[baseOff + i * stride];
                    if (float.IsNaN(value) || (max ? value > bestValue : value < bestValue)) { best = i; bestValue = value; }
                }
                v[values.Offset + o] = bestValue;
                ix[indices.Offset + o] = best;
            }
        });
    }

    public static void Softmax(Tensor input, int axis, Tensor output, bool log)
    {
        var (kept, reduced) = SplitAxes(input, new[] { axis });
        var x = StridedView.Of(input);
        float[] y = StridedView.DataOf(output);
        int n = reduced.Sizes[0], stride = reduced.Strides[0];
        int outStride = output.Shape.ContiguousStrides()[axis];
        // Output element (kept index o, position i): kept dims keep their relative order, so its offset follows
        // from the output's contiguous strides over the kept axes.
        var outKeptStrides = KeptStrides(output.Shape.ContiguousStrides(), input.Rank, axis);
        int outer = kept.Sizes.Aggregate(1, (p, s) => p * s);
        CpuParallel.For(outer, 4L * n, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                int xo = Offset(o, kept.Sizes, kept.Strides, x.Offset);
                int yo = Offset(o, kept.Sizes, outKeptStrides, output.Offset);
                float m = float.NegativeInfinity;
                for (int i = 0; i < n; i++) m = MathF.Max(m, x.Data[xo + i * stride]);
                if (float.IsNegativeInfinity(m)) m = 0f;
                double sum = 0;
                for (int i = 0; i < n; i++) sum += MathF.Exp(x.Data[xo + i * stride] - m);
                if (log)
                {
                    float lse = m + (float)Math.Log(sum);
                    for (int i = 0; i < n; i++) y[yo + i * outStride] = x.Data[xo + i * stride] - lse;
                }
                else
                {
                    float inv = (float)(1.0 / sum);
                    for (int i = 0; i < n; i++) y[yo + i * outStride] = MathF.Exp(x.Data[xo + i * stride] - m) * inv;
                }
            }
        });
    }

    private static int[] KeptStrides(int[] strides, int rank, int axis)
    {
        var list = new List<int>();
        for (int d = 0; d < rank; d++) if (d != axis) list.Add(strides[d]);
        return list.ToArray();
    }

    internal static float ReduceBlock(ReduceOp op, ReadOnlySpan<float> block, float correction)
    {
        int n = block.Length;
        switch (op)
        {
            case ReduceOp.Sum:
            {
                double s = 0;
                foreach (float v in block) s += v;
                return (float)s;
            }
            case ReduceOp.Mean:
            {
                double s = 0;
                foreach (float v in block) s += v;
                return n == 0 ? float.NaN : (float)(s / n);
            }
            case ReduceOp.Max:
            {
                float m = float.NegativeInfinity;
                foreach (float v in block) { if (float.IsNaN(v)) return v; m = MathF.Max(m, v); }
                return m;
            }
            case ReduceOp.Min:
            {
                float m = float.PositiveInfinity;
                foreach (float v in block) { if (float.IsNaN(v)) return v; m = MathF.Min(m, v); }
                return m;
            }
            case ReduceOp.Variance:
            {
                double s = 0;
                foreach (float v in block) s += v;
                double mean = s / n, ss = 0;
                foreach (float v in block) ss += (v - mean) * (v - mean);
                double denom = n - correction;
                return denom <= 0 ? float.NaN : (float)(ss / denom);
            }
            case ReduceOp.LogSumExp:
            {
                float m = float.NegativeInfinity;
                foreach (float v in block) m = MathF.Max(m, v);
                if (float.IsNegativeInfinity(m)) return m;
                if (float.IsPositiveInfinity(m)) return m;
                double s = 0;
                foreach (float v in block) s += Math.Exp(v - m);
                return m + (float)Math.Log(s);
            }
            default:
                throw new NotSupportedException($"Reduction {op} has no CPU kernel.");
        }
    }

    private static void Collect(float[] data, int baseOff, int[] sizes, int[] strides, float[] block)
    {
        int n = block.Length;
        if (sizes.Length == 1)
        {
            int s = strides[0];
            if (s == 1) Array.Copy(data, baseOff, block, 0, n);
            else for (int i = 0; i < n; i++) block[i] = data[baseOff + i * s];
            return;
        }
        for (int i = 0; i < n; i++) block[i] = data[Offset(i, sizes, strides, baseOff)];
    }

    // Offset of linear index i (row-major over sizes) from base.
    private static int Offset(int i, int[] sizes, int[] strides, int baseOff)
    {
        int off = baseOff;
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            int s = sizes[d];
            off += i % s * strides[d];
            i /= s;
        }
        return off;
    }

    private static ((int[] Sizes, int[] Strides) Kept, (int[] Sizes, int[] Strides) Reduced) SplitAxes(Tensor x, ReadOnlySpan<int> axes)
    {
        var isReduced = new bool[x.Rank];
        foreach (int a in axes) isReduced[a] = true;
        var ks = new List<int>(); var kst = new List<int>(); var rs = new List<int>(); var rst = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (isReduced[d]) { rs.Add(x.Shape[d]); rst.Add(x.Strides[d]); }
            else { ks.Add(x.Shape[d]); kst.Add(x.Strides[d]); }
        }
        if (ks.Count == 0) { ks.Add(1); kst.Add(0); }
        if (rs.Count == 0) { rs.Add(1); rst.Add(0); }
        return ((ks.ToArray(), kst.ToArray()), (rs.ToArray(), rst.ToArray()));
    }
}
