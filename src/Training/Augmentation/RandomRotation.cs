using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Rotates the image about its centre by an angle drawn uniformly from <see cref="MinDegrees"/>..<see cref="MaxDegrees"/>
/// (positive = counter-clockwise, as torchvision), resampling bilinearly; corners that come from outside the image take
/// <see cref="Fill"/>. Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomRotation : ISampleTransform
{
    /// <summary>Rotates by up to <paramref name="degrees"/> either way.</summary>
    public RandomRotation(float degrees, float fill = 0f) : this(-Math.Abs(degrees), Math.Abs(degrees), fill) { }

    /// <summary>Rotates by an angle in <paramref name="minDegrees"/>..<paramref name="maxDegrees"/>.</summary>
    public RandomRotation(float minDegrees, float maxDegrees, float fill)
    {
        if (!(minDegrees <= maxDegrees) || !float.IsFinite(minDegrees) || !float.IsFinite(maxDegrees))
            throw new ArgumentException($"RandomRotation: need finite degrees with min <= max, got {minDegrees}..{maxDegrees}.");
        MinDegrees = minDegrees;
        MaxDegrees = maxDegrees;
        Fill = fill;
    }

    /// <summary>Smallest angle in degrees.</summary>
    public float MinDegrees { get; }

    /// <summary>Largest angle in degrees.</summary>
    public float MaxDegrees { get; }

    /// <summary>Value of pixels that come from outside the image.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomRotation");
        layout.CheckLength(sample.Length, shape, "RandomRotation");
        float degrees = MinDegrees + (MaxDegrees - MinDegrees) * generator.NextFloat();
        Rotate(sample, layout, degrees, Fill);
    }

    /// <summary>Rotates by exactly <paramref name="degrees"/> counter-clockwise.</summary>
    public static void Rotate(Span<float> sample, ImageLayout layout, float degrees, float fill = 0f) =>
        AffineWarp.Apply(sample, layout, AffineWarp.AboutCentre(layout, degrees, 1f), fill);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RandomRotation(degrees={MinDegrees}..{MaxDegrees}, fill={Fill})");
}
