using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Per-channel standardisation <c>x[c] = (x[c] - Mean[c]) / Std[c]</c> (torchvision's <c>Normalize</c>). It draws no random
/// numbers; put it last in a pipeline, after the colour transforms that expect pixels in [0, 1]. One mean and std apply
/// to every channel. <see cref="ChannelStatistics"/> computes them from a data set. Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class Normalize : ISampleTransform
{
    private readonly float[] _mean;
    private readonly float[] _invStd;

    /// <summary>Creates the transform from per-channel means and standard deviations (or one of each for all channels).</summary>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or a std is not positive.</exception>
    public Normalize(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"Normalize: need one mean and one std per channel, got {mean.Count} means and {std.Count} stds.");
        for (int c = 0; c < std.Count; c++)
            if (!(std[c] > 0) || !float.IsFinite(std[c]) || !float.IsFinite(mean[c]))
                throw new ArgumentException($"Normalize: channel {c} has mean {mean[c]} and std {std[c]}; the std must be positive and both finite.");
        _mean = mean.ToArray();
        _invStd = std.Select(s => 1f / s).ToArray();
        Std = std.ToArray();
    }

    /// <summary>The per-channel means.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "Normalize");
        layout.CheckLength(sample.Length, shape, "Normalize");
        if (_mean.Length != 1 && _mean.Length != layout.Channels)
            throw new ArgumentException($"Normalize: has {_mean.Length} channel statistics but the sample shape {shape} has {layout.Channels} channels.");
        for (int c = 0; c < layout.Channels; c++)
        {
            int k = _mean.Length == 1 ? 0 : c;
            float m = _mean[k], inv = _invStd[k];
            var plane = sample.Slice(c * layout.Plane, layout.Plane);
            for (int i = 0; i < plane.Length; i++) plane[i] = (plane[i] - m) * inv;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Normalize(mean=[{string.Join(", ", _mean.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}], std=[{string.Join(", ", Std.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}])";
}
