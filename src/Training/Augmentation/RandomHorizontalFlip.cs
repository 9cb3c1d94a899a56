using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Mirrors the image left-right with probability <see cref="Probability"/>. One number is drawn per call whether or not
/// the image flips, so later transforms see the same random stream either way. Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomHorizontalFlip : ISampleTransform
{
    /// <summary>Creates the transform.</summary>
    public RandomHorizontalFlip(float probability = 0.5f)
    {
        if (!(probability >= 0 && probability <= 1)) throw new ArgumentException($"RandomHorizontalFlip: probability must be in [0, 1], got {probability}.");
        Probability = probability;
    }

    /// <summary>Chance of flipping.</summary>
    public float Probability { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomHorizontalFlip");
        layout.CheckLength(sample.Length, shape, "RandomHorizontalFlip");
        if (generator.NextFloat() < Probability) Flip(sample, layout);
    }

    /// <summary>Reverses every row.</summary>
    public static void Flip(Span<float> sample, ImageLayout layout)
    {
        int rows = layout.Channels * layout.Height;
        for (int r = 0; r < rows; r++) sample.Slice(r * layout.Width, layout.Width).Reverse();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RandomHorizontalFlip(p={Probability})");
}
