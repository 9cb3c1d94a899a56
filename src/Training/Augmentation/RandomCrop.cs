using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Pads the image by <see cref="Padding"/> pixels on every side and cuts a random window of the original size back out
/// (the standard CIFAR augmentation, torchvision's <c>RandomCrop(size, padding)</c> with size = input size). The window's
/// offset is uniform over all <c>(2 * Padding + 1)^2</c> positions, so pixels move by up to <see cref="Padding"/> in each axis.
/// Shape: <c>[C, H, W]</c> in and out.
/// </summary>
public sealed class RandomCrop : ISampleTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="padding">Pixels added on each side (0 = no change).</param>
    /// <param name="mode">How the border is filled: a constant (<paramref name="fill"/>), mirrored without repeating the edge, or the edge repeated.</param>
    /// <param name="fill">The constant for <see cref="PadMode.Constant"/>.</param>
    public RandomCrop(int padding, PadMode mode = PadMode.Constant, float fill = 0f)
    {
        if (padding < 0) throw new ArgumentException($"RandomCrop: padding must not be negative, got {padding}.");
        Padding = padding;
        Mode = mode;
        Fill = fill;
    }

    /// <summary>Pixels of padding on each side.</summary>
    public int Padding { get; }

    /// <summary>How the padding is filled.</summary>
    public PadMode Mode { get; }

    /// <summary>The padding value in <see cref="PadMode.Constant"/> mode.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        var layout = ImageLayout.Of(shape, "RandomCrop");
        layout.CheckLength(sample.Length, shape, "RandomCrop");
        int dy = generator.NextInt(2 * Padding + 1) - Padding;
        int dx = generator.NextInt(2 * Padding + 1) - Padding;
        Shift(sample, layout, dy, dx, Mode, Fill);
    }

    /// <summary>
    /// Output pixel <c>(y, x)</c> takes source pixel <c>(y + dy, x + dx)</c>; positions outside the image follow <paramref name="mode"/>.
    /// </summary>
    internal static void Shift(Span<float> sample, ImageLayout layout, int dy, int dx, PadMode mode, float fill)
    {
        if (dy == 0 && dx == 0) return;
        int h = layout.Height, w = layout.Width, plane = layout.Plane;
        var copy = ThreadScratch.Image(layout.Numel);
        sample.CopyTo(copy);
        var columns = ThreadScratch.Indices(w);
        for (int x = 0; x < w; x++) columns[x] = SourceIndex(x + dx, w, mode);
        // Columns whose source lies inside the image form one run that is copied whole; only the edges look up the map.
        int inStart = Math.Clamp(-dx, 0, w), inEnd = Math.Clamp(w - dx, inStart, w);
        for (int c = 0; c < layout.Channels; c++)
        {
            for (int y = 0; y < h; y++)
            {
                var dst = sample.Slice(c * plane + y * w, w);
                int sy = SourceIndex(y + dy, h, mode);
                if (sy < 0) { dst.Fill(fill); continue; }
                var src = copy.Slice(c * plane + sy * w, w);
                if (inEnd > inStart) src.Slice(inStart + dx, inEnd - inStart).CopyTo(dst[inStart..inEnd]);
                for (int x = 0; x < inStart; x++) dst[x] = columns[x] < 0 ? fill : src[columns[x]];
                for (int x = inEnd; x < w; x++) dst[x] = columns[x] < 0 ? fill : src[columns[x]];
            }
        }
    }

    /// <summary>The in-range index a padded position reads, or -1 for the constant fill.</summary>
    internal static int SourceIndex(int i, int n, PadMode mode)
    {
        if (i >= 0 && i < n) return i;
        switch (mode)
        {
            case PadMode.Constant:
                return -1;
            case PadMode.Replicate:
                return i < 0 ? 0 : n - 1;
            default:
                if (n == 1) return 0;
                // Mirror without repeating the edge: the pattern 0 1 .. n-1 n-2 .. 1 repeats with period 2(n-1),
                // which also covers padding wider than the image.
                int period = 2 * (n - 1);
                int m = ((i % period) + period) % period;
                return m < n ? m : period - m;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RandomCrop(padding={Padding}, mode={Mode}{(Mode == PadMode.Constant ? $", fill={Fill}" : "")})");
}
