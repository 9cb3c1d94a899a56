using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Training.Data;

/// <summary>
/// Per-channel mean and standard deviation of an image data set, the numbers <see cref="Normalize"/> needs
/// (for CIFAR-10's training set about mean (0.491, 0.482, 0.447), std (0.247, 0.243, 0.262)). The std is the population
/// one over every pixel of every sample; sums are kept in double so large sets do not lose precision.
/// Shape: samples <c>[C, H, W]</c> (or <c>[H, W]</c>, one channel).
/// </summary>
public sealed class ChannelStatistics
{
    private ChannelStatistics(float[] mean, float[] std)
    {
        Mean = mean;
        Std = std;
    }

    /// <summary>Mean of each channel.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Standard deviation of each channel.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>
    /// Computes the statistics over <paramref name="dataset"/>, or over an evenly spaced subset of at most
    /// <paramref name="maxSamples"/> samples (0 = all) when the set is large.
    /// </summary>
    /// <exception cref="ArgumentException">The data set is empty or its samples are not images.</exception>
    public static ChannelStatistics Compute(IDataset dataset, int maxSamples = 0)
    {
        if (dataset.Count == 0) throw new ArgumentException("ChannelStatistics: the data set is empty.");
        var layout = ImageLayout.Of(dataset.SampleShape, "ChannelStatistics");
        int n = maxSamples > 0 ? Math.Min(maxSamples, dataset.Count) : dataset.Count;
        var sum = new double[layout.Channels];
        var sumSq = new double[layout.Channels];
        var buffer = new float[layout.Numel];
        for (int k = 0; k < n; k++)
        {
            int index = (int)((long)k * dataset.Count / n);
            dataset.CopySample(index, buffer);
            for (int c = 0; c < layout.Channels; c++)
            {
                // Per-sample partial sums in double: float accumulation over millions of pixels drifts.
                double s = 0, s2 = 0;
                var plane = buffer.AsSpan(c * layout.Plane, layout.Plane);
                foreach (float v in plane) { s += v; s2 += (double)v * v; }
                sum[c] += s;
                sumSq[c] += s2;
            }
        }
        double count = (double)n * layout.Plane;
        var mean = new float[layout.Channels];
        var std = new float[layout.Channels];
        for (int c = 0; c < layout.Channels; c++)
        {
            double m = sum[c] / count;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(0, sumSq[c] / count - m * m));
        }
        return new ChannelStatistics(mean, std);
    }

    /// <summary>A <see cref="Normalize"/> transform with these statistics (a channel with zero spread gets std 1).</summary>
    public Normalize ToNormalize() => new(Mean, Std.Select(s => s > 0 ? s : 1f).ToArray());

    /// <inheritdoc/>
    public override string ToString() =>
        $"mean [{string.Join(", ", Mean.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}], " +
        $"std [{string.Join(", ", Std.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
