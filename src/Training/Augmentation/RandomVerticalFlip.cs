using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Mirrors the image top-bottom with probability <see cref="Probability"/> (one number drawn per call either way).
/// Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomVerticalFlip : ISampleTransform
{
    /// <summary>Creates the transform.</summary>
    public RandomVerticalFlip(float probability = 0.5f)
    {
        if (!(probability >= 0 && probability <= 1)) throw new ArgumentException($"RandomVerticalFlip: probability must be in [0, 1], got {probability}.");
        Probability = probability;
    }

    /// <summary>Chance of flipping.</summary>
    public float Probability { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomVerticalFlip");
        layout.CheckLength(sample.Length, shape, "RandomVerticalFlip");
        if (generator.NextFloat() < Probability) Flip(sample, layout);
    }

    /// <summary>Swaps row <c>y</c> with row <c>H - 1 - y</c> in every channel.</summary>
    public static void Flip(Span<float> sample, ImageLayout layout)
    {
        int w = layout.Width, h = layout.Height;
        for (int c = 0; c < layout.Channels; c++)
        {
            var plane = sample.Slice(c * layout.Plane, layout.Plane);
            for (int y = 0; y < h / 2; y++)
            {
                var a = plane.Slice(y * w, w);
                var b = plane.Slice((h - 1 - y) * w, w);
                for (int x = 0; x < w; x++) (a[x], b[x]) = (b[x], a[x]);
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RandomVerticalFlip(p={Probability})");
}
