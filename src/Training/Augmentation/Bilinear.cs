namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Bilinear resizing of CHW images with the half-pixel convention of PyTorch's
/// <c>interpolate(mode="bilinear", align_corners=False, antialias=False)</c>: output pixel <c>d</c> samples the source at
/// <c>s = (d + 0.5) * in / out - 0.5</c>, clamped below at 0, between pixels <c>floor(s)</c> and <c>floor(s) + 1</c>
/// (the last pixel repeats at the far edge). No low-pass filter is applied, so large reductions alias, as in PyTorch.
/// An unchanged size copies the image exactly.
/// </summary>
public static class Bilinear
{
    /// <summary>
    /// Resizes the whole image. Shape: <paramref name="source"/> <c>[C, H, W]</c> of <paramref name="layout"/>,
    /// <paramref name="destination"/> <c>[C, height, width]</c>.
    /// </summary>
    public static void Resize(ReadOnlySpan<float> source, ImageLayout layout, Span<float> destination, int height, int width) =>
        ResizeRegion(source, layout, 0, 0, layout.Height, layout.Width, destination, height, width);

    /// <summary>
    /// Resizes the rectangle at (<paramref name="top"/>, <paramref name="left"/>) of size
    /// <paramref name="regionHeight"/> x <paramref name="regionWidth"/> as if it had been cut out first (samples never
    /// reach outside it). Shape: <paramref name="source"/> <c>[C, H, W]</c>, <paramref name="destination"/> <c>[C, height, width]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The region leaves the image, a size is not positive, or a span is too short.</exception>
    public static void ResizeRegion(ReadOnlySpan<float> source, ImageLayout layout, int top, int left, int regionHeight, int regionWidth,
        Span<float> destination, int height, int width)
    {
        if (regionHeight <= 0 || regionWidth <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"Bilinear: sizes must be positive (region {regionHeight}x{regionWidth}, output {height}x{width}).");
        if (top < 0 || left < 0 || top + regionHeight > layout.Height || left + regionWidth > layout.Width)
            throw new ArgumentException($"Bilinear: region {regionHeight}x{regionWidth} at ({top}, {left}) leaves the {layout.Height}x{layout.Width} image.");
        if (source.Length < layout.Numel || destination.Length < layout.Channels * height * width)
            throw new ArgumentException($"Bilinear: spans of {source.Length} and {destination.Length} values are too short for {layout.Channels}x{layout.Height}x{layout.Width} -> {layout.Channels}x{height}x{width}.");

        var indices = ThreadScratch.Indices(2 * (height + width));
        var weights = ThreadScratch.Weights(height + width);
        Span<int> y0 = indices[..height], y1 = indices.Slice(height, height);
        Span<int> x0 = indices.Slice(2 * height, width), x1 = indices.Slice(2 * height + width, width);
        Span<float> wy = weights[..height], wx = weights.Slice(height, width);
        Plan(regionHeight, height, top, y0, y1, wy);
        Plan(regionWidth, width, left, x0, x1, wx);

        int plane = layout.Plane, outPlane = height * width;
        for (int c = 0; c < layout.Channels; c++)
        {
            var src = source.Slice(c * plane, plane);
            var dst = destination.Slice(c * outPlane, outPlane);
            for (int y = 0; y < height; y++)
            {
                var row0 = src.Slice(y0[y] * layout.Width, layout.Width);
                var row1 = src.Slice(y1[y] * layout.Width, layout.Width);
                float h1 = wy[y], h0 = 1f - h1;
                var outRow = dst.Slice(y * width, width);
                for (int x = 0; x < width; x++)
                {
                    float w1 = wx[x], w0 = 1f - w1;
                    int a = x0[x], b = x1[x];
                    outRow[x] = h0 * (w0 * row0[a] + w1 * row0[b]) + h1 * (w0 * row1[a] + w1 * row1[b]);
                }
            }
        }
    }

    /// <summary>Source index pair and weight of the second for each output position along one axis.</summary>
    private static void Plan(int inSize, int outSize, int start, Span<int> i0, Span<int> i1, Span<float> w1)
    {
        float scale = (float)inSize / outSize;
        for (int d = 0; d < outSize; d++)
        {
            float s = MathF.Max(scale * (d + 0.5f) - 0.5f, 0f);
            int lo = Math.Min((int)s, inSize - 1);
            i0[d] = start + lo;
            i1[d] = start + (lo < inSize - 1 ? lo + 1 : lo);
            w1[d] = s - lo;
        }
    }
}
