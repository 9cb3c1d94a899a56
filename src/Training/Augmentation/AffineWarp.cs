namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Resamples a CHW image through an affine map from output to source pixel coordinates,
/// <c>(sx, sy) = (a*x + b*y + tx, c*x + d*y + ty)</c>, with bilinear interpolation. A neighbour outside the image
/// contributes <c>fill</c>, so edges blend smoothly into the fill colour. Pixel centres sit at whole coordinates;
/// an identity map returns the image unchanged.
/// </summary>
internal static class AffineWarp
{
    /// <summary>The map that rotates by <paramref name="degrees"/> (counter-clockwise on screen) and scales by <paramref name="scale"/> about the image centre.</summary>
    public static (float A, float B, float Tx, float C, float D, float Ty) AboutCentre(ImageLayout layout, float degrees, float scale)
    {
        // Output -> source is the inverse: rotate by -angle and divide by the scale.
        double theta = degrees * Math.PI / 180.0;
        float cos = (float)(Math.Cos(theta) / scale), sin = (float)(Math.Sin(theta) / scale);
        if (degrees == 0) { cos = 1f / scale; sin = 0f; }
        float cx = (layout.Width - 1) * 0.5f, cy = (layout.Height - 1) * 0.5f;
        // With y pointing down, a counter-clockwise turn on screen maps output (x, y) to source
        // (cos*(x-cx) - sin*(y-cy) + cx, sin*(x-cx) + cos*(y-cy) + cy).
        return (cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy);
    }

    /// <summary>Warps <paramref name="sample"/> in place.</summary>
    public static void Apply(Span<float> sample, ImageLayout layout, (float A, float B, float Tx, float C, float D, float Ty) m, float fill)
    {
        var copy = ThreadScratch.Image(layout.Numel);
        sample.CopyTo(copy);
        int h = layout.Height, w = layout.Width, plane = layout.Plane;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                float sx = m.A * x + m.B * y + m.Tx;
                float sy = m.C * x + m.D * y + m.Ty;
                float fx0 = MathF.Floor(sx), fy0 = MathF.Floor(sy);
                float ax = sx - fx0, ay = sy - fy0;
                // Far outside: every neighbour is fill (also keeps the int conversion in range).
                if (fx0 < -1 || fy0 < -1 || fx0 > w || fy0 > h)
                {
                    for (int c = 0; c < layout.Channels; c++) sample[c * plane + y * w + x] = fill;
                    continue;
                }
                int x0 = (int)fx0, y0 = (int)fy0, x1 = x0 + 1, y1 = y0 + 1;
                float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
                if (x0 >= 0 && x1 < w && y0 >= 0 && y1 < h)
                {
                    // Interior: all four neighbours exist (most pixels of a small rotation or zoom).
                    int o = y0 * w + x0;
                    for (int c = 0; c < layout.Channels; c++)
                    {
                        int p = c * plane + o;
                        sample[c * plane + y * w + x] = w00 * copy[p] + w01 * copy[p + 1] + w10 * copy[p + w] + w11 * copy[p + w + 1];
                    }
                    continue;
                }
                bool inX0 = x0 >= 0 && x0 < w, inX1 = x1 >= 0 && x1 < w;
                bool inY0 = y0 >= 0 && y0 < h, inY1 = y1 >= 0 && y1 < h;
                for (int c = 0; c < layout.Channels; c++)
                {
                    int p = c * plane;
                    float v00 = inY0 && inX0 ? copy[p + y0 * w + x0] : fill;
                    float v01 = inY0 && inX1 ? copy[p + y0 * w + x1] : fill;
                    float v10 = inY1 && inX0 ? copy[p + y1 * w + x0] : fill;
                    float v11 = inY1 && inX1 ? copy[p + y1 * w + x1] : fill;
                    // Whole-pixel coordinates copy exactly (weights 1, 0, 0, 0 would still add 0 * fill).
                    sample[p + y * w + x] = ax == 0 && ay == 0 ? v00 : w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
                }
            }
        }
    }
}
