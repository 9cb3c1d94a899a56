using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Trainers;

/// <summary>Small classification problems generated from a seed, for fast trainer tests.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// <paramref name="classes"/> Gaussian blobs in <paramref name="features"/> dimensions, centred on well separated
    /// points, <paramref name="perClass"/> samples each. Shape: samples <c>[features]</c>.
    /// </summary>
    public static InMemoryDataset Blobs(int perClass = 40, int classes = 3, int features = 4, float spread = 0.5f, int seed = 1)
    {
        var rng = new Random(seed);
        var centres = new float[classes, features];
        for (int c = 0; c < classes; c++)
            for (int f = 0; f < features; f++) centres[c, f] = (float)(rng.NextDouble() * 6 - 3);
        int n = perClass * classes;
        var x = new float[n * features];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % classes;
            y[i] = c;
            for (int f = 0; f < features; f++)
            {
                // Box-Muller for a normal sample.
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double g = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                x[i * features + f] = centres[c, f] + spread * (float)g;
            }
        }
        return new InMemoryDataset(x, y, new Shape(features), classes, "blobs");
    }

    /// <summary>The same blobs shaped as tiny 1 x 2 x 2 images, for models that start with Flatten.</summary>
    public static InMemoryDataset BlobImages(int perClass = 40, int seed = 1)
    {
        var flat = Blobs(perClass, 3, 4, 0.5f, seed);
        var x = new float[flat.Count * 4];
        var y = new int[flat.Count];
        for (int i = 0; i < flat.Count; i++) y[i] = flat.CopySample(i, x.AsSpan(i * 4, 4));
        return new InMemoryDataset(x, y, new Shape(1, 2, 2), 3, "blob-images");
    }
}
