using NetFromScratch.Cli;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Tests.Cli;

/// <summary><c>nfs augment --preview</c> writes a grid of original and augmented samples.</summary>
public class AugmentCommandTests
{
    [Test]
    public void PreviewWritesAPngGridOfTheRequestedSize()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nfs-augment-{Guid.NewGuid():N}.png");
        try
        {
            var oldOut = Console.Out;
            Console.SetOut(new StringWriter());
            int code;
            try { code = Program.Main(new[] { "augment", "--preview", path, "--rows", "2", "--cols", "3", "--augment", "flip,cutout:4" }); }
            finally { Console.SetOut(oldOut); }
            Assert.That(code, Is.EqualTo(0));
            var (pixels, layout) = ImageFile.Load(path, 3);
            Assert.That(layout.Width, Is.GreaterThanOrEqualTo(3 * 32));
            Assert.That(layout.Height, Is.GreaterThanOrEqualTo(2 * 32));
            Assert.That(pixels.Distinct().Count(), Is.GreaterThan(10), "a picture, not a blank image");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void AnUnknownAugmentationIsExplained()
    {
        var oldErr = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        int code;
        try { code = Program.Main(new[] { "augment", "--augment", "warp:3", "--preview", Path.Combine(Path.GetTempPath(), "never.png") }); }
        finally { Console.SetError(oldErr); }
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.ToString(), Does.Contain("warp"));
    }
}
