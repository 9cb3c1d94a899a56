using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
    public static void AdjustBrightness(Span<float> sample, float factor) => AffineClamp(sample, factor, 0f);

    /// <summary><c>x = clamp(f * x + (1 - f) * mean grey, 0, 1)</c>.</summary>
    public static void AdjustContrast(Span<float> sample, ImageLayout layout, float factor)
    {
        int plane = layout.Plane;
        float mean = layout.Channels == 3
            ? (0.299f * TensorPrimitives.Sum(sample[..plane]) + 0.587f * TensorPrimitives.Sum(sample.Slice(plane, plane))
               + 0.114f * TensorPrimitives.Sum(sample.Slice(2 * plane, plane))) / plane
            : TensorPrimitives.Sum(sample[..plane]) / plane;
        AffineClamp(sample, factor, (1f - factor) * mean);
    }

    /// <summary>Each RGB pixel <c>p = clamp(f * p + (1 - f) * grey(p), 0, 1)</c>; grey images are left alone.</summary>
    public static void AdjustSaturation(Span<float> sample, ImageLayout layout, float factor)
    {
        if (layout.Channels != 3) return;
        int plane = layout.Plane;
        var r = sample[..plane];
        var g = sample.Slice(plane, plane);
        var b = sample.Slice(2 * plane, plane);
        float keep = 1f - factor;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vr = MemoryMarshal.Cast<float, Vector<float>>(r);
            var vg = MemoryMarshal.Cast<float, Vector<float>>(g);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var f = new Vector<float>(factor);
            for (int k = 0; k < vr.Length; k++)
            {
                var grey = keep * (0.299f * vr[k] + 0.587f * vg[k] + 0.114f * vb[k]);
                vr[k] = Vector.Min(Vector.Max(f * vr[k] + grey, Vector<float>.Zero), Vector<float>.One);
                vg[k] = Vector.Min(Vector.Max(f * vg[k] + grey, Vector<float>.Zero), Vector<float>.One);
                vb[k] = Vector.Min(Vector.Max(f * vb[k] + grey, Vector<float>.Zero), Vector<float>.One);
            }
            i = vr.Length * Vector<float>.Count;
        }
        for (; i < plane; i++)
        {
            float grey = keep * Luma(r[i], g[i], b[i]);
            r[i] = Math.Clamp(factor * r[i] + grey, 0f, 1f);
            g[i] = Math.Clamp(factor * g[i] + grey, 0f, 1f);
            b[i] = Math.Clamp(factor * b[i] + grey, 0f, 1f);
        }
    }

    /// <summary><c>x = clamp(scale * x + offset, 0, 1)</c> in one pass.</summary>
    private static void AffineClamp(Span<float> values, float scale, float offset)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var s = new Vector<float>(scale);
            var o = new Vector<float>(offset);
            for (int k = 0; k < v.Length; k++) v[k] = Vector.Min(Vector.Max(s * v[k] + o, Vector<float>.Zero), Vector<float>.One);
            i = v.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++) values[i] = Math.Clamp(scale * values[i] + offset, 0f, 1f);
    }

    /// <summary>ITU-R BT.601 luma.</summary>
    public static float Luma(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ColorJitter(brightness={Brightness}, contrast={Contrast}, saturation={Saturation})");
}
