using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Erases a random <see cref="Size"/> x <see cref="Size"/> square (in every channel) to <see cref="Fill"/> with probability
/// <see cref="Probability"/> (DeVries and Taylor, "Improved regularization of convolutional neural networks with cutout",
/// 2017). The square lies wholly inside the image, at a uniformly drawn position, so exactly Size² pixels are erased; a
/// size beyond the image is clipped to it. Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class Cutout : ISampleTransform
{
    /// <summary>Creates the transform.</summary>
    public Cutout(int size, float probability = 1f, float fill = 0f)
    {
        if (size <= 0) throw new ArgumentException($"Cutout: size must be positive, got {size}.");
        if (!(probability >= 0 && probability <= 1)) throw new ArgumentException($"Cutout: probability must be in [0, 1], got {probability}.");
        Size = size;
        Probability = probability;
        Fill = fill;
    }

    /// <summary>Side of the erased square in pixels.</summary>
    public int Size { get; }

    /// <summary>Chance of erasing.</summary>
    public float Probability { get; }

    /// <summary>Value written into the square.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "Cutout");
        layout.CheckLength(sample.Length, shape, "Cutout");
        bool erase = generator.NextFloat() < Probability;
        int h = Math.Min(Size, layout.Height), w = Math.Min(Size, layout.Width);
        int top = generator.NextInt(layout.Height - h + 1), left = generator.NextInt(layout.Width - w + 1);
        if (!erase) return;
        for (int c = 0; c < layout.Channels; c++)
            for (int y = top; y < top + h; y++)
                sample.Slice(c * layout.Plane + y * layout.Width + left, w).Fill(Fill);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Cutout(size={Size}, p={Probability}, fill={Fill})");
}
