using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Scales the image about its centre by a factor drawn uniformly from <see cref="MinScale"/>..<see cref="MaxScale"/>
/// (above 1 zooms in and crops the edges; below 1 shrinks it inside a <see cref="Fill"/> border), resampling bilinearly;
/// the output keeps its size (the scale part of torchvision's <c>RandomAffine</c>). Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomZoom : ISampleTransform
{
    /// <summary>Creates the transform.</summary>
    public RandomZoom(float minScale, float maxScale, float fill = 0f)
    {
        if (!(minScale > 0 && minScale <= maxScale) || !float.IsFinite(maxScale))
            throw new ArgumentException($"RandomZoom: scale range must satisfy 0 < min <= max, got {minScale}..{maxScale}.");
        MinScale = minScale;
        MaxScale = maxScale;
        Fill = fill;
    }

    /// <summary>Smallest scale factor.</summary>
    public float MinScale { get; }

    /// <summary>Largest scale factor.</summary>
    public float MaxScale { get; }

    /// <summary>Value of pixels that come from outside the image.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomZoom");
        layout.CheckLength(sample.Length, shape, "RandomZoom");
        float scale = MinScale + (MaxScale - MinScale) * generator.NextFloat();
        AffineWarp.Apply(sample, layout, AffineWarp.AboutCentre(layout, 0f, scale), Fill);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RandomZoom(scale={MinScale}..{MaxScale}, fill={Fill})");
}
