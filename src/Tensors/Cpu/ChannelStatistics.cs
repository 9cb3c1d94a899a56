using System.Numerics;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Per-channel mean and population variance of a contiguous <c>[N, C, *]</c> tensor, as batch normalisation needs.
/// Two passes (mean, then the mean of squared deviations), each accumulated in double, so a large common offset
/// does not swamp the variance the way <c>E[x^2] - E[x]^2</c> would. Each pass splits across the <c>N*C</c> rows
/// (one row: one channel of one sample); the per-row sums are then combined per channel in a fixed order, so the
/// result does not depend on the thread count.
/// </summary>
internal static class ChannelStatistics
{
    /// <summary>Shape: x <c>[N, C, *]</c> contiguous; mean and variance <c>[C]</c>.</summary>
    public static void Compute(Tensor x, Tensor mean, Tensor variance)
    {
        int n = x.Shape[0], c = x.Shape[1];
        int rows = n * c, length = rows == 0 ? 0 : x.Numel / rows;
        float[] xd = ((CpuStorage)x.Storage).Data, md = ((CpuStorage)mean.Storage).Data, vd = ((CpuStorage)variance.Storage).Data;
        int xo = x.Offset;
        double count = (double)n * length;

        var partial = new double[rows];
        CpuParallel.For(rows, length, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++) partial[r] = Sum(xd.AsSpan(xo + r * length, length));
        });
        var means = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += partial[i * c + ch];
            means[ch] = (float)(s / count);
            md[mean.Offset + ch] = means[ch];
        }

        CpuParallel.For(rows, 2L * length, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++) partial[r] = SquaredDeviation(xd.AsSpan(xo + r * length, length), means[r % c]);
        });
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += partial[i * c + ch];
            vd[variance.Offset + ch] = (float)(s / count);
        }
    }

    private static double Sum(ReadOnlySpan<float> row)
    {
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= row.Length - width; i += width)
            {
                Vector.Widen(new Vector<float>(row[i..]), out var lo, out var hi);
                acc0 += lo;
                acc1 += hi;
            }
        }
        double s = Vector.Sum(acc0 + acc1);
        for (; i < row.Length; i++) s += row[i];
        return s;
    }

    private static double SquaredDeviation(ReadOnlySpan<float> row, float mean)
    {
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        var m = new Vector<float>(mean);
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= row.Length - width; i += width)
            {
                Vector.Widen(new Vector<float>(row[i..]) - m, out var lo, out var hi);
                acc0 += lo * lo;
                acc1 += hi * hi;
            }
        }
        double s = Vector.Sum(acc0 + acc1);
        for (; i < row.Length; i++)
        {
            double d = row[i] - mean;
            s += d * d;
        }
        return s;
    }
}
