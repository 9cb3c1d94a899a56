using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Training.Data;

/// <summary>
/// A procedural image data set that needs no download: ten classes of shapes and textures (<see cref="ClassNames"/>)
/// drawn at a random position, size, rotation and colour on a background with a colour gradient and pixel noise.
/// Sample <c>i</c> has label <c>i % 10</c> (so the classes are balanced to within one) and is a pure function of
/// (seed, i): it is rendered on demand, from any thread, with no storage. Foreground and background colours are
/// drawn from opposite halves of the brightness range, so every shape stands out; a small CNN learns the set well.
/// Shape: each sample <c>[Channels, Size, Size]</c>, values in [0, 1].
/// </summary>
public sealed class ShapesDataset : IDataset
{
    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "circle", "square", "triangle", "cross", "ring", "frame",
        "horizontal stripes", "vertical stripes", "diagonal stripes", "checkerboard",
    };

    private readonly ulong _seed;

    // Outward edge normals of an equilateral triangle pointing up (y down): at 90, 210 and 330 degrees.
    private static readonly float[] TriangleNormals =
        Enumerable.Range(0, 3).SelectMany(k => new[] { MathF.Cos(MathF.PI / 2 + k * 2 * MathF.PI / 3), MathF.Sin(MathF.PI / 2 + k * 2 * MathF.PI / 3) }).ToArray();

    /// <summary>Creates a set of <paramref name="count"/> images of <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
    /// <exception cref="ArgumentException">A count below 1, a size below 8, or channels other than 1 and 3.</exception>
    public ShapesDataset(int count, ulong seed = 0, int size = 32, int channels = 3)
    {
        if (count < 1) throw new ArgumentException($"ShapesDataset: count must be positive, got {count}.");
        if (size < 8) throw new ArgumentException($"ShapesDataset: size must be at least 8 pixels, got {size}.");
        if (channels is not (1 or 3)) throw new ArgumentException($"ShapesDataset: channels must be 1 or 3, got {channels}.");
        Count = count;
        Size = size;
        Channels = channels;
        _seed = seed;
        SampleShape = new Shape(channels, size, size);
    }

    /// <summary>Image height and width in pixels.</summary>
    public int Size { get; }

    /// <summary>1 (grey, the luma of the colour image) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public Shape SampleShape { get; }

    /// <inheritdoc/>
    public int ClassCount => ClassNames.Count;

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int LabelOf(int index) => index % ClassNames.Count;

    /// <inheritdoc/>
    public int CopySample(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"ShapesDataset: index {index} is outside 0..{Count - 1}.");
        int label = LabelOf(index);
        Render(label, new Generator(_seed, (ulong)index << 32), destination[..SampleShape.Numel]);
        return label;
    }

    /// <summary>Renders every sample into an <see cref="InMemoryDataset"/>.</summary>
    public InMemoryDataset ToInMemory(string name = "shapes")
    {
        int size = SampleShape.Numel;
        var features = new float[(long)Count * size];
        var labels = new int[Count];
        Parallel.For(0, Count, i => labels[i] = CopySample(i, features.AsSpan(i * size, size)));
        return new InMemoryDataset(features, labels, SampleShape, ClassCount, name);
    }

    private void Render(int label, Generator g, Span<float> destination)
    {
        int n = Size;
        // Colours: a dark background with a bright shape or the reverse, each channel from its own half of [0, 1].
        bool darkBackground = g.NextFloat() < 0.5f;
        Span<float> bg = stackalloc float[3];
        Span<float> fg = stackalloc float[3];
        for (int c = 0; c < 3; c++)
        {
            float low = 0.4f * g.NextFloat(), high = 0.6f + 0.4f * g.NextFloat();
            bg[c] = darkBackground ? low : high;
            fg[c] = darkBackground ? high : low;
        }
        float gradAngle = 2 * MathF.PI * g.NextFloat();
        float gradAmount = 0.15f * g.NextFloat() / n;
        float gx = gradAmount * MathF.Cos(gradAngle), gy = gradAmount * MathF.Sin(gradAngle);
        float noise = 0.02f + 0.04f * g.NextFloat();

        float radius = n * (0.25f + 0.17f * g.NextFloat());
        float cx = radius + (n - 2 * radius) * g.NextFloat() - 0.5f;
        float cy = radius + (n - 2 * radius) * g.NextFloat() - 0.5f;
        float angle = label switch
        {
            6 => Jitter(0f, g),                 // horizontal stripes
            7 => Jitter(MathF.PI / 2, g),       // vertical stripes
            8 => Jitter(MathF.PI / 4, g),       // diagonal stripes
            9 => Jitter(0f, g),                 // checkerboard
            _ => 2 * MathF.PI * g.NextFloat(),
        };
        float period = n * (0.14f + 0.08f * g.NextFloat());
        float phase = g.NextFloat();
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        ulong noiseCounter = g.Advance(n * n);

        int plane = n * n;
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                // 2x2 supersampling gives anti-aliased edges.
                int hits = 0;
                for (int s = 0; s < 4; s++)
                {
                    float px = x + ((s & 1) == 0 ? -0.25f : 0.25f) - cx;
                    float py = y + ((s & 2) == 0 ? -0.25f : 0.25f) - cy;
                    if (Inside(label, px, py, radius, cos, sin, period, phase)) hits++;
                }
                float a = hits * 0.25f;
                float shade = gx * (x - cx) + gy * (y - cy);
                var (r0, r1, r2, _) = Philox.Block(noiseCounter + (ulong)(y * n + x), _seed);
                float n0 = noise * (2 * Philox.ToUnitFloat(r0) - 1), n1 = noise * (2 * Philox.ToUnitFloat(r1) - 1), n2 = noise * (2 * Philox.ToUnitFloat(r2) - 1);
                float r = Math.Clamp(bg[0] + a * (fg[0] - bg[0]) + shade + n0, 0f, 1f);
                float gr = Math.Clamp(bg[1] + a * (fg[1] - bg[1]) + shade + n1, 0f, 1f);
                float b = Math.Clamp(bg[2] + a * (fg[2] - bg[2]) + shade + n2, 0f, 1f);
                int i = y * n + x;
                if (Channels == 3)
                {
                    destination[i] = r;
                    destination[plane + i] = gr;
                    destination[2 * plane + i] = b;
                }
                else
                {
                    destination[i] = ColorJitter.Luma(r, gr, b);
                }
            }
        }
    }

    private static float Jitter(float angle, Generator g) => angle + (g.NextFloat() - 0.5f) * (16f * MathF.PI / 180f);

    /// <summary>Whether the point (px, py), relative to the centre, is covered by the class's figure.</summary>
    private static bool Inside(int label, float px, float py, float radius, float cos, float sin, float period, float phase)
    {
        // Figure coordinates: rotated into the shape's frame and scaled so the figure spans about [-1, 1].
        float u = (cos * px + sin * py) / radius;
        float v = (-sin * px + cos * py) / radius;
        float d2 = u * u + v * v;
        float box = MathF.Max(MathF.Abs(u), MathF.Abs(v));
        switch (label)
        {
            case 0: return d2 <= 1f;
            case 1: return box <= 0.8f;
            case 2:
                // Equilateral triangle with circumradius 1: three half-planes at distance 0.5 from the centre.
                for (int k = 0; k < 3; k++)
                    if (u * TriangleNormals[2 * k] + v * TriangleNormals[2 * k + 1] > 0.5f) return false;
                return true;
            case 3: return (MathF.Abs(u) <= 0.28f && MathF.Abs(v) <= 0.95f) || (MathF.Abs(v) <= 0.28f && MathF.Abs(u) <= 0.95f);
            case 4: return d2 <= 1f && d2 >= 0.5f * 0.5f;
            case 5: return box <= 0.85f && box >= 0.5f;
            default:
            {
                // Patterns fill an upright square patch; stripes run along the rotated u axis (bands vary with v).
                float patch = MathF.Max(MathF.Abs(px), MathF.Abs(py)) / radius;
                if (patch > 1f) return false;
                float scaled = radius / period;
                if (label == 9)
                {
                    int iu = (int)MathF.Floor(u * scaled + phase), iv = (int)MathF.Floor(v * scaled + phase);
                    return ((iu + iv) & 1) == 0;
                }
                float t = v * scaled + phase;
                return t - MathF.Floor(t) < 0.5f;
            }
        }
    }
}
