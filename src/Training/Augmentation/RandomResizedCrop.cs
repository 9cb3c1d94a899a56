using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Cuts a random rectangle covering a fraction of the image's area drawn from <see cref="MinScale"/>..<see cref="MaxScale"/>
/// with an aspect ratio (width / height) drawn log-uniformly from <see cref="MinRatio"/>..<see cref="MaxRatio"/>, and
/// stretches it back to the full size with <see cref="Bilinear"/> (the Inception-style crop, torchvision's
/// <c>RandomResizedCrop</c>: ten tries to fit such a rectangle, then a centre crop with the ratio clamped into range).
/// Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomResizedCrop : ISampleTransform
{
    /// <summary>Creates the transform; the defaults are torchvision's (scale 0.08..1, ratio 3/4..4/3).</summary>
    public RandomResizedCrop(float minScale = 0.08f, float maxScale = 1f, float minRatio = 3f / 4f, float maxRatio = 4f / 3f)
    {
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentException($"RandomResizedCrop: scale range must satisfy 0 < min <= max <= 1, got {minScale}..{maxScale}.");
        if (!(minRatio > 0 && minRatio <= maxRatio))
            throw new ArgumentException($"RandomResizedCrop: ratio range must satisfy 0 < min <= max, got {minRatio}..{maxRatio}.");
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
    }

    /// <summary>Smallest fraction of the area kept.</summary>
    public float MinScale { get; }

    /// <summary>Largest fraction of the area kept.</summary>
    public float MaxScale { get; }

    /// <summary>Smallest width/height ratio of the cut.</summary>
    public float MinRatio { get; }

    /// <summary>Largest width/height ratio of the cut.</summary>
    public float MaxRatio { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomResizedCrop");
        layout.CheckLength(sample.Length, shape, "RandomResizedCrop");
        var (top, left, h, w) = Window(layout, generator);
        if (top == 0 && left == 0 && h == layout.Height && w == layout.Width) return;
        var copy = ThreadScratch.Image(layout.Numel);
        sample.CopyTo(copy);
        Bilinear.ResizeRegion(copy, layout, top, left, h, w, sample, layout.Height, layout.Width);
    }

    /// <summary>The rectangle cut from an image of <paramref name="layout"/>.</summary>
    internal (int Top, int Left, int Height, int Width) Window(ImageLayout layout, Generator generator)
    {
        int height = layout.Height, width = layout.Width;
        double area = (double)height * width;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinScale + (MaxScale - MinScale) * generator.NextFloat());
            double ratio = Math.Exp(logMin + (logMax - logMin) * generator.NextFloat());
            int w = (int)Math.Round(Math.Sqrt(target * ratio));
            int h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (generator.NextInt(height - h + 1), generator.NextInt(width - w + 1), h, w);
        }
        // Fallback: the largest centred window whose ratio is clamped into range.
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < MinRatio) { cw = width; ch = (int)Math.Round(cw / (double)MinRatio); }
        else if (inRatio > MaxRatio) { ch = height; cw = (int)Math.Round(ch * (double)MaxRatio); }
        else { cw = width; ch = height; }
        ch = Math.Clamp(ch, 1, height);
        cw = Math.Clamp(cw, 1, width);
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RandomResizedCrop(scale={MinScale}..{MaxScale}, ratio={MinRatio:0.###}..{MaxRatio:0.###})");
}
