using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Random brightness, contrast and saturation changes, applied in a random order as torchvision's <c>ColorJitter</c>.
/// Each factor is drawn uniformly from <c>[max(0, 1 - amount), 1 + amount]</c>:
/// brightness scales every value (<c>f * x</c>); contrast blends with the mean grey level of the image
/// (<c>f * x + (1 - f) * mean</c>); saturation blends each pixel with its own grey level (RGB only). Grey is the ITU-R 601
/// luma <c>0.299 R + 0.587 G + 0.114 B</c>. Results are clamped to [0, 1], so use it on pixels in [0, 1], before
/// <see cref="Normalize"/>. Shape: <c>[C, H, W]</c> in and out, C = 1 or 3.
/// </summary>
public sealed class ColorJitter : ISampleTransform
{
    /// <summary>Creates the transform; an amount of 0 leaves that property alone.</summary>
    public ColorJitter(float brightness, float contrast, float saturation)
    {
        if (!(brightness >= 0 && contrast >= 0 && saturation >= 0) || !float.IsFinite(brightness + contrast + saturation))
            throw new ArgumentException($"ColorJitter: amounts must be finite and not negative, got brightness={brightness}, contrast={contrast}, saturation={saturation}.");
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
    }

    /// <summary>Brightness amount.</summary>
    public float Brightness { get; }

    /// <summary>Contrast amount.</summary>
    public float Contrast { get; }

    /// <summary>Saturation amount.</summary>
    public float Saturation { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "ColorJitter");
        layout.CheckLength(sample.Length, shape, "ColorJitter");
        if (layout.Channels != 1 && layout.Channels != 3)
            throw new ArgumentException($"ColorJitter: needs 1 (grey) or 3 (RGB) channels, got shape {shape}.");
        Span<int> order = stackalloc int[] { 0, 1, 2 };
        Permutation.Shuffle(order, generator);
        float b = Factor(Brightness, generator), c = Factor(Contrast, generator), s = Factor(Saturation, generator);
        foreach (int op in order)
        {
            switch (op)
            {
                case 0: if (Brightness > 0) AdjustBrightness(sample, b); break;
                case 1: if (Contrast > 0) AdjustContrast(sample, layout, c); break;
                default: if (Saturation > 0) AdjustSaturation(sample, layout, s); break;
            }
        }
    }

    private static float Factor(float amount, Generator generator)
    {
        float lo = MathF.Max(0f, 1f - amount), hi = 1f + amount;
        return lo + (hi - lo) * generator.NextFloat();
    }

    /// <summary><c>x = clamp(f * x, 0, 1)</c>.</summary>
    public static void AdjustBrightness(Span<float> sample, float factor)
    {
        for (int i = 0; i < sample.Length; i++) sample[i] = Math.Clamp(factor * sample[i], 0f, 1f);
    }

    /// <summary><c>x = clamp(f * x + (1 - f) * mean grey, 0, 1)</c>.</summary>
    public static void AdjustContrast(Span<float> sample, ImageLayout layout, float factor)
    {
        double sum = 0;
        int plane = layout.Plane;
        if (layout.Channels == 3)
        {
            for (int i = 0; i < plane; i++) sum += Luma(sample[i], sample[plane + i], sample[2 * plane + i]);
        }
        else
        {
            for (int i = 0; i < plane; i++) sum += sample[i];
        }
        float offset = (1f - factor) * (float)(sum / plane);
        for (int i = 0; i < sample.Length; i++) sample[i] = Math.Clamp(factor * sample[i] + offset, 0f, 1f);
    }

    /// <summary>Each RGB pixel <c>p = clamp(f * p + (1 - f) * grey(p), 0, 1)</c>; grey images are left alone.</summary>
    public static void AdjustSaturation(Span<float> sample, ImageLayout layout, float factor)
    {
        if (layout.Channels != 3) return;
        int plane = layout.Plane;
        var r = sample[..plane];
        var g = sample.Slice(plane, plane);
        var bl = sample.Slice(2 * plane, plane);
        float keep = 1f - factor;
        for (int i = 0; i < plane; i++)
        {
            float grey = keep * Luma(r[i], g[i], bl[i]);
            r[i] = Math.Clamp(factor * r[i] + grey, 0f, 1f);
            g[i] = Math.Clamp(factor * g[i] + grey, 0f, 1f);
            bl[i] = Math.Clamp(factor * bl[i] + grey, 0f, 1f);
        }
    }

    /// <summary>ITU-R BT.601 luma.</summary>
    public static float Luma(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ColorJitter(brightness={Brightness}, contrast={Contrast}, saturation={Saturation})");
}
