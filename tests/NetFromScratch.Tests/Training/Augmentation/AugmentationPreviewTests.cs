using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Training.Augmentation;

public class AugmentationPreviewTests
{
    [Test]
    public void WritesAGridWhoseFirstColumnIsTheOriginal()
    {
        string dir = Directory.CreateTempSubdirectory("nfs-preview-").FullName;
        try
        {
            var data = new ShapesDataset(30, seed: 4, size: 16);
            string path = Path.Combine(dir, "grid.png");
            AugmentationPreview.WriteGrid(data, AugmentationSpec.Parse("crop:3,flip,jitter:0.3"), rows: 3, cols: 4, path, seed: 1, scale: 2);
            var (pixels, layout) = ImageFile.Load(path, 3);
            // 4 tiles of 32 px, gaps of 2 and an 8-px gap after the originals; 3 rows of 32 px.
            Assert.That((layout.Height, layout.Width), Is.EqualTo((3 * 34 + 2, 4 * 34 + 8)));

            // Some row's original tile is a sample of the set, enlarged 2x.
            var tile = new float[3 * 16 * 16];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 16; y++)
                    for (int x = 0; x < 16; x++)
                        tile[(c * 16 + y) * 16 + x] = pixels[c * layout.Plane + (2 + 2 * y) * layout.Width + 2 + 2 * x];
            var sample = new float[tile.Length];
            bool found = Enumerable.Range(0, data.Count).Any(i =>
            {
                data.CopySample(i, sample);
                return sample.Zip(tile).All(p => MathF.Abs(p.First - p.Second) <= 0.5f / 255f + 1e-6f);
            });
            Assert.That(found, "the first tile of the first row is an unaugmented sample");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
