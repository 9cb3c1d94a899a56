using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Shifts the image by a whole number of pixels, up to <see cref="MaxFractionX"/> of the width and
/// <see cref="MaxFractionY"/> of the height either way (drawn uniformly, then rounded, as torchvision's
/// <c>RandomAffine(translate=...)</c>); uncovered pixels take <see cref="Fill"/>. Whole-pixel shifts keep the image sharp.
/// Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomTranslation : ISampleTransform
{
    /// <summary>Creates the transform.</summary>
    public RandomTranslation(float maxFractionX, float maxFractionY, float fill = 0f)
    {
        if (!(maxFractionX >= 0 && maxFractionX <= 1 && maxFractionY >= 0 && maxFractionY <= 1))
            throw new ArgumentException($"RandomTranslation: fractions must be in [0, 1], got {maxFractionX} and {maxFractionY}.");
        MaxFractionX = maxFractionX;
        MaxFractionY = maxFractionY;
        Fill = fill;
    }

    /// <summary>Largest horizontal shift as a fraction of the width.</summary>
    public float MaxFractionX { get; }

    /// <summary>Largest vertical shift as a fraction of the height.</summary>
    public float MaxFractionY { get; }

    /// <summary>Value of uncovered pixels.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomTranslation");
        layout.CheckLength(sample.Length, shape, "RandomTranslation");
        float mx = MaxFractionX * layout.Width, my = MaxFractionY * layout.Height;
        int tx = (int)MathF.Round(-mx + 2 * mx * generator.NextFloat());
        int ty = (int)MathF.Round(-my + 2 * my * generator.NextFloat());
        // Content moves by (tx, ty): output (y, x) reads source (y - ty, x - tx).
        RandomCrop.Shift(sample, layout, -ty, -tx, PadMode.Constant, Fill);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RandomTranslation(x={MaxFractionX}, y={MaxFractionY}, fill={Fill})");
}
