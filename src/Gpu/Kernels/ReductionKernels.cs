using ILGPU;
using ILGPU.Algorithms;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>What a reduction launch computes: <c>Outer</c> outputs, each over <c>Inner</c> elements.</summary>
internal struct ReduceGeometry
{
    /// <summary>Number of outputs (kept elements).</summary>
    public int Outer;
    /// <summary>Elements reduced into each output.</summary>
    public int Inner;
    /// <summary>A <see cref="ReduceOp"/>.</summary>
    public int Op;
    /// <summary>Pieces each output's elements are split into (one group each); 1 finishes in one launch.</summary>
    public int Chunks;
    /// <summary>Elements per piece.</summary>
    public int ChunkLength;
    /// <summary>1 when a variance reduction also writes its mean (batch-norm statistics).</summary>
    public int WriteMean;
    /// <summary>Bessel's correction for the variance.</summary>
    public float Correction;
}

/// <summary>
/// Reductions, arg-reductions and softmax. The input is seen as <c>[kept, reduced]</c> through two layouts:
/// <c>kept</c> maps an output index to the start of its elements (its offset includes the tensor's), and
/// <c>reduced</c> maps a position inside the reduced block to its distance from that start.
/// Two shapes of launch: one thread per output (when the kept dimension is the contiguous one, neighbouring threads
/// then read neighbouring addresses), or one group per output or per piece of one (when the reduced dimension is
/// contiguous or long), with a shared-memory tree combining the threads' partial results.
/// Sums accumulate in double, as on the CPU (fp64 adds cost little in a kernel bound by memory traffic).
/// Each result is summarised by a pair (p0, p1): a sum (as high and low float parts), an extreme, (mean, M2) for
/// the variance, or (max, sum of exp(x - max)) for log-sum-exp, so pieces combine exactly as whole rows would.
/// </summary>
internal static class ReductionKernels
{
    // ---- reduce ------------------------------------------------------------------------------------------

    public static void ReduceThreads(StridedLayout kept, StridedLayout reduced, ReduceGeometry g,
        ArrayView<float> x, ArrayView<float> y, ArrayView<float> mean)
    {
        for (int o = GridStride.Start; o < g.Outer; o += GridStride.Step)
        {
            int start = kept.ElementOffset(o);
            SerialPartial(g.Op, x, start, reduced, 0, g.Inner, out float p0, out float p1);
            Finish(g, o, p0, p1, y, mean);
        }
    }

    public static void ReduceGroups(StridedLayout kept, StridedLayout reduced, ReduceGeometry g,
        ArrayView<float> x, ArrayView<float> y, ArrayView<float> mean, ArrayView<float> partials)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        var sums = SharedMemory.Allocate<double>(GroupReduce.MaxGroupSize);
        int tasks = g.Outer * g.Chunks;
        for (int task = Grid.IdxX; task < tasks; task += Grid.DimX)
        {
            int o = task / g.Chunks, chunk = task - o * g.Chunks;
            int begin = chunk * g.ChunkLength;
            int end = XMath.Min(g.Inner, begin + g.ChunkLength);
            int start = kept.ElementOffset(o);
            GroupPartial(g.Op, x, start, reduced, begin, end, shared, sums, out float p0, out float p1);
            if (Group.IdxX == 0)
            {
                if (g.Chunks == 1) Finish(g, o, p0, p1, y, mean);
                else
                {
                    partials[2 * task] = p0;
                    partials[2 * task + 1] = p1;
                }
            }
        }
    }

    /// <summary>Second step of a split reduction: one thread per output folds its pieces' pairs together.</summary>
    public static void ReduceCombine(ReduceGeometry g, ArrayView<float> partials, ArrayView<float> y, ArrayView<float> mean)
    {
        for (int o = GridStride.Start; o < g.Outer; o += GridStride.Step)
        {
            int first = o * g.Chunks;
            float p0 = partials[2 * first], p1 = partials[2 * first + 1];
            int n = XMath.Min(g.ChunkLength, g.Inner);
            for (int c = 1; c < g.Chunks; c++)
            {
                int begin = c * g.ChunkLength;
                int count = XMath.Min(g.Inner, begin + g.ChunkLength) - begin;
                if (count <= 0) continue;
                float q0 = partials[2 * (first + c)], q1 = partials[2 * (first + c) + 1];
                CombinePairs(g.Op, ref p0, ref p1, n, q0, q1, count);
                n += count;
            }
            Finish(g, o, p0, p1, y, mean);
        }
    }

    private static void SerialPartial(int op, ArrayView<float> x, int start, StridedLayout reduced, int begin, int end,
        out float p0, out float p1)
    {
        p1 = 0f;
        switch ((ReduceOp)op)
        {
            case ReduceOp.Max:
            case ReduceOp.Min:
            {
                bool max = op == (int)ReduceOp.Max;
                float m = max ? float.NegativeInfinity : float.PositiveInfinity;
                for (int i = begin; i < end; i++)
                    m = max ? DeviceMath.Max(m, x[start + reduced.ElementOffset(i)]) : DeviceMath.Min(m, x[start + reduced.ElementOffset(i)]);
                p0 = m;
                return;
            }
            case ReduceOp.Variance:
            {
                double sum = 0;
                for (int i = begin; i < end; i++) sum += x[start + reduced.ElementOffset(i)];
                double mu = sum / (end - begin), squares = 0;
                for (int i = begin; i < end; i++)
                {
                    double d = x[start + reduced.ElementOffset(i)] - mu;
                    squares += d * d;
                }
                p0 = (float)mu;
                p1 = (float)squares;
                return;
            }
            case ReduceOp.LogSumExp:
            {
                float m = float.NegativeInfinity;
                for (int i = begin; i < end; i++) m = DeviceMath.Max(m, x[start + reduced.ElementOffset(i)]);
                p0 = m;
                if (IsFinite(m))
                {
                    double sum = 0;
                    for (int i = begin; i < end; i++) sum += FloatMath.Exp(x[start + reduced.ElementOffset(i)] - m);
                    p1 = (float)sum;
                }
                return;
            }
            default:
            {
                double sum = 0;
                for (int i = begin; i < end; i++) sum += x[start + reduced.ElementOffset(i)];
                Split(sum, out p0, out p1);
                return;
            }
        }
    }

    private static void GroupPartial(int op, ArrayView<float> x, int start, StridedLayout reduced, int begin, int end,
        ArrayView<float> shared, ArrayView<double> sums, out float p0, out float p1)
    {
        int t = Group.IdxX, step = Group.DimX;
        p1 = 0f;
        switch ((ReduceOp)op)
        {
            case ReduceOp.Max:
            case ReduceOp.Min:
            {
                bool max = op == (int)ReduceOp.Max;
                float m = max ? float.NegativeInfinity : float.PositiveInfinity;
                for (int i = begin + t; i < end; i += step)
                    m = max ? DeviceMath.Max(m, x[start + reduced.ElementOffset(i)]) : DeviceMath.Min(m, x[start + reduced.ElementOffset(i)]);
                p0 = GroupReduce.Reduce(shared, m, max ? GroupReduce.MaxKind : GroupReduce.MinKind);
                return;
            }
            case ReduceOp.Variance:
            {
                double sum = 0;
                for (int i = begin + t; i < end; i += step) sum += x[start + reduced.ElementOffset(i)];
                double mu = GroupReduce.Sum(sums, sum) / (end - begin), squares = 0;
                for (int i = begin + t; i < end; i += step)
                {
                    double d = x[start + reduced.ElementOffset(i)] - mu;
                    squares += d * d;
                }
                p0 = (float)mu;
                p1 = (float)GroupReduce.Sum(sums, squares);
                return;
            }
            case ReduceOp.LogSumExp:
            {
                float m = float.NegativeInfinity;
                for (int i = begin + t; i < end; i += step) m = DeviceMath.Max(m, x[start + reduced.ElementOffset(i)]);
                m = GroupReduce.Reduce(shared, m, GroupReduce.MaxKind);
                p0 = m;
                if (IsFinite(m))
                {
                    double sum = 0;
                    for (int i = begin + t; i < end; i += step) sum += FloatMath.Exp(x[start + reduced.ElementOffset(i)] - m);
                    p1 = (float)GroupReduce.Sum(sums, sum);
                }
                return;
            }
            default:
            {
                double sum = 0;
                for (int i = begin + t; i < end; i += step) sum += x[start + reduced.ElementOffset(i)];
                Split(GroupReduce.Sum(sums, sum), out p0, out p1);
                return;
            }
        }
    }

    /// <summary>Folds piece b (q0, q1 over m elements) into piece a (p0, p1 over n elements).</summary>
    private static void CombinePairs(int op, ref float p0, ref float p1, int n, float q0, float q1, int m)
    {
        switch ((ReduceOp)op)
        {
            case ReduceOp.Max: p0 = DeviceMath.Max(p0, q0); break;
            case ReduceOp.Min: p0 = DeviceMath.Min(p0, q0); break;
            case ReduceOp.Variance:
            {
                // Chan, Golub and LeVeque's pairwise update of mean and sum of squared deviations.
                float total = n + (float)m;
                float delta = q0 - p0;
                p0 += delta * (m / total);
                p1 += q1 + delta * delta * (n * (m / total));
                break;
            }
            case ReduceOp.LogSumExp:
            {
                float top = DeviceMath.Max(p0, q0);
                if (IsFinite(top))
                {
                    float a = IsFinite(p0) ? p1 * FloatMath.Exp(p0 - top) : 0f;
                    float b = IsFinite(q0) ? q1 * FloatMath.Exp(q0 - top) : 0f;
                    p1 = a + b;
                }
                p0 = top;
                break;
            }
            default:
                Split((double)p0 + p1 + q0 + q1, out p0, out p1);
                break;
        }
    }

    private static void Finish(ReduceGeometry g, int o, float p0, float p1, ArrayView<float> y, ArrayView<float> mean)
    {
        float value;
        switch ((ReduceOp)g.Op)
        {
            case ReduceOp.Sum: value = (float)((double)p0 + p1); break;
            case ReduceOp.Mean: value = (float)(((double)p0 + p1) / g.Inner); break;
            case ReduceOp.Variance:
            {
                float denom = g.Inner - g.Correction;
                value = denom <= 0f ? float.NaN : p1 / denom;
                if (g.WriteMean != 0) mean[o] = p0;
                break;
            }
            case ReduceOp.LogSumExp: value = IsFinite(p0) ? p0 + (float)DoubleMath.Log(p1) : p0; break;
            default: value = p0; break;
        }
        y[o] = value;
    }

    private static bool IsFinite(float v) => v - v == 0f;

    /// <summary>A double as two floats (high part and remainder), so partial sums keep 48 bits between launches.</summary>
    private static void Split(double v, out float high, out float low)
    {
        high = (float)v;
        low = IsFinite(high) ? (float)(v - high) : 0f;
    }

    // ---- arg-reduce --------------------------------------------------------------------------------------

    public static void ArgReduceThreads(StridedLayout kept, int n, int axisStride, int outer, int max,
        ArrayView<float> x, ArrayView<float> values, ArrayView<float> indices)
    {
        for (int o = GridStride.Start; o < outer; o += GridStride.Step)
        {
            int start = kept.ElementOffset(o);
            float best = x[start];
            int bestIndex = 0;
            for (int i = 1; i < n && !DeviceMath.IsNaN(best); i++)
            {
                float v = x[start + i * axisStride];
                if (DeviceMath.IsNaN(v) || (max != 0 ? v > best : v < best)) { best = v; bestIndex = i; }
            }
            values[o] = best;
            indices[o] = bestIndex;
        }
    }

    public static void ArgReduceGroups(StridedLayout kept, int n, int axisStride, int outer, int max,
        ArrayView<float> x, ArrayView<float> values, ArrayView<float> indices)
    {
        var sharedValues = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        var sharedIndices = SharedMemory.Allocate<int>(GroupReduce.MaxGroupSize);
        bool isMax = max != 0;
        for (int o = Grid.IdxX; o < outer; o += Grid.DimX)
        {
            int start = kept.ElementOffset(o);
            float best = 0f;
            int bestIndex = -1;
            for (int i = Group.IdxX; i < n; i += Group.DimX)
            {
                float v = x[start + i * axisStride];
                if (GroupReduce.Beats(v, i, best, bestIndex, isMax)) { best = v; bestIndex = i; }
            }
            GroupReduce.ReduceArg(sharedValues, sharedIndices, ref best, ref bestIndex, isMax);
            if (Group.IdxX == 0)
            {
                values[o] = best;
                indices[o] = bestIndex;
            }
        }
    }

    // ---- softmax -----------------------------------------------------------------------------------------

    public static void SoftmaxThreads(StridedLayout keptX, StridedLayout keptY, int n, int xStride, int yStride, int outer, int log,
        ArrayView<float> x, ArrayView<float> y)
    {
        for (int o = GridStride.Start; o < outer; o += GridStride.Step)
        {
            int xs = keptX.ElementOffset(o), ys = keptY.ElementOffset(o);
            float m = float.NegativeInfinity;
            for (int i = 0; i < n; i++) m = DeviceMath.Max(m, x[xs + i * xStride]);
            if (m == float.NegativeInfinity) m = 0f;
            double sum = 0;
            for (int i = 0; i < n; i++) sum += FloatMath.Exp(x[xs + i * xStride] - m);
            WriteSoftmax(x, y, xs, ys, n, xStride, yStride, m, sum, log != 0, 0, 1);
        }
    }

    public static void SoftmaxGroups(StridedLayout keptX, StridedLayout keptY, int n, int xStride, int yStride, int outer, int log,
        ArrayView<float> x, ArrayView<float> y)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        var sums = SharedMemory.Allocate<double>(GroupReduce.MaxGroupSize);
        int t = Group.IdxX, step = Group.DimX;
        for (int o = Grid.IdxX; o < outer; o += Grid.DimX)
        {
            int xs = keptX.ElementOffset(o), ys = keptY.ElementOffset(o);
            float m = float.NegativeInfinity;
            for (int i = t; i < n; i += step) m = DeviceMath.Max(m, x[xs + i * xStride]);
            m = GroupReduce.Reduce(shared, m, GroupReduce.MaxKind);
            if (m == float.NegativeInfinity) m = 0f;
            double sum = 0;
            for (int i = t; i < n; i += step) sum += FloatMath.Exp(x[xs + i * xStride] - m);
            double total = GroupReduce.Sum(sums, sum);
            WriteSoftmax(x, y, xs, ys, n, xStride, yStride, m, total, log != 0, t, step);
        }
    }

    private static void WriteSoftmax(ArrayView<float> x, ArrayView<float> y, int xs, int ys, int n, int xStride, int yStride,
        float m, double sum, bool log, int first, int step)
    {
        if (log)
        {
            // (x - m) - log(sum), not x - (m + log(sum)): the shift cancels exactly before the small term is taken.
            float logSum = (float)DoubleMath.Log(sum);
            for (int i = first; i < n; i += step) y[ys + i * yStride] = x[xs + i * xStride] - m - logSum;
        }
        else
        {
            float inv = (float)(1.0 / sum);
            for (int i = first; i < n; i += step) y[ys + i * yStride] = FloatMath.Exp(x[xs + i * xStride] - m) * inv;
        }
    }
}
