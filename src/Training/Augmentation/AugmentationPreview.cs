using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Draws what an augmentation pipeline does: a PNG grid with one sample per row, its original in the first column
/// (set apart by a wider gap) and <c>cols - 1</c> independently augmented copies after it.
/// </summary>
public static class AugmentationPreview
{
    /// <summary>
    /// Writes the grid to <paramref name="path"/>. Rows show distinct samples picked with <paramref name="seed"/>; each
    /// augmented tile gets its own generator derived from the seed, so the picture is reproducible. Values already in
    /// [0, 1] are drawn as they are; otherwise (e.g. after <see cref="Normalize"/>) the whole grid is stretched from its
    /// minimum to its maximum. Small images are enlarged by whole-pixel repetition to <paramref name="scale"/> times their
    /// size (0 = enough for tiles of at least 64 pixels). Shape: samples <c>[1 or 3, H, W]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Rows or columns below 1, or samples that are not 1- or 3-channel images.</exception>
    public static void WriteGrid(IDataset dataset, ISampleTransform transform, int rows, int cols, string path, ulong seed, int scale = 0)
    {
        if (rows < 1) throw new ArgumentException($"AugmentationPreview: need at least one row, got {rows}.");
        if (dataset.Count == 0) throw new ArgumentException("AugmentationPreview: the data set is empty.");
        var order = Permutation.Shuffled(dataset.Count, new Generator(seed));
        WriteGrid(dataset, transform, Enumerable.Range(0, rows).Select(r => order[r % order.Length]).ToArray(), cols, path, seed, scale);
    }

    /// <summary>As the other overload, with one row for each of the chosen samples <paramref name="indices"/>.</summary>
    public static void WriteGrid(IDataset dataset, ISampleTransform transform, IReadOnlyList<int> indices, int cols, string path, ulong seed, int scale = 0)
    {
        int rows = indices.Count;
        if (rows < 1 || cols < 1) throw new ArgumentException($"AugmentationPreview: need at least one row and one column, got {rows}x{cols}.");
        var shape = dataset.SampleShape;
        var layout = ImageLayout.Of(shape, "AugmentationPreview");
        if (layout.Channels is not (1 or 3))
            throw new ArgumentException($"AugmentationPreview: can draw 1- or 3-channel images, got sample shape {shape}.");
        if (scale <= 0) scale = Math.Max(1, (64 + Math.Max(layout.Height, layout.Width) - 1) / Math.Max(layout.Height, layout.Width));

        var tiles = new float[rows * cols][];
        for (int r = 0; r < rows; r++)
        {
            int index = indices[r];
            if ((uint)index >= (uint)dataset.Count)
                throw new ArgumentException($"AugmentationPreview: sample index {index} is outside 0..{dataset.Count - 1}.");
            var original = new float[layout.Numel];
            dataset.CopySample(index, original);
            for (int c = 0; c < cols; c++)
            {
                var tile = (float[])original.Clone();
                if (c > 0) transform.Apply(tile, shape, new Generator(seed ^ 0xA5A5A5A5UL, ((ulong)(r * cols + c)) << 20));
                tiles[r * cols + c] = tile;
            }
        }

        float lo = tiles.Min(t => t.Min()), hi = tiles.Max(t => t.Max());
        bool stretch = lo < 0 || hi > 1;
        float offset = stretch ? lo : 0f, gain = stretch ? (hi > lo ? 1f / (hi - lo) : 1f) : 1f;

        const int Gap = 2, OriginalGap = 8;
        int tileH = layout.Height * scale, tileW = layout.Width * scale;
        int width = OriginalGap - Gap + cols * (tileW + Gap) + Gap;
        int height = rows * (tileH + Gap) + Gap;
        if (cols == 1) width = tileW + 2 * Gap;
        var rgb = new byte[width * height * 3];
        rgb.AsSpan().Fill(96);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                var tile = tiles[r * cols + c];
                int top = Gap + r * (tileH + Gap);
                int left = Gap + c * (tileW + Gap) + (c > 0 ? OriginalGap - Gap : 0);
                for (int y = 0; y < tileH; y++)
                {
                    for (int x = 0; x < tileW; x++)
                    {
                        int src = (y / scale) * layout.Width + x / scale;
                        int dst = ((top + y) * width + left + x) * 3;
                        for (int k = 0; k < 3; k++)
                        {
                            float v = tile[(layout.Channels == 3 ? k : 0) * layout.Plane + src];
                            rgb[dst + k] = (byte)MathF.Round(Math.Clamp((v - offset) * gain, 0f, 1f) * 255f);
                        }
                    }
                }
            }
        }
        ImageFile.WriteInterleaved(path, rgb, width, height, 3);
    }
}
