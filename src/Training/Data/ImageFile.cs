using NetFromScratch.Training.Augmentation;
using StbImageSharp;
using StbImageWriteSharp;
using ReadComponents = StbImageSharp.ColorComponents;
using WriteComponents = StbImageWriteSharp.ColorComponents;

namespace NetFromScratch.Training.Data;

/// <summary>
/// Reads image files (PNG, JPEG, BMP, GIF (first frame), TGA, decoded by StbImageSharp, a C# port of stb_image) into CHW
/// floats in [0, 1], and writes CHW floats as PNG. Channel conversion: grey to RGB repeats the grey value; RGB to grey
/// takes the ITU-R 601 luma <c>0.299 R + 0.587 G + 0.114 B</c>; alpha is dropped (not composited). 16-bit files are
/// reduced to 8 bits by the decoder. Shape: images are <c>[channels, height, width]</c>.
/// </summary>
public static class ImageFile
{
    /// <summary>The file extensions treated as images (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga" };

    /// <summary>Whether <paramref name="path"/> has one of the <see cref="Extensions"/> (case-insensitive).</summary>
    public static bool HasImageExtension(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Loads an image at its own size. Shape: returns <c>[channels, H, W]</c> with (H, W) from the file.</summary>
    /// <exception cref="DataFormatException">The file cannot be decoded.</exception>
    public static (float[] Pixels, ImageLayout Layout) Load(string path, int channels)
    {
        var decoded = Decode(File.ReadAllBytes(path), path);
        var layout = new ImageLayout(CheckChannels(channels), decoded.Height, decoded.Width);
        var pixels = new float[layout.Numel];
        ToPlanes(decoded, channels, pixels);
        return (pixels, layout);
    }

    /// <summary>Loads an image and resizes it bilinearly (see <see cref="Bilinear"/>) to <paramref name="height"/> x <paramref name="width"/>.</summary>
    /// <exception cref="DataFormatException">The file cannot be decoded.</exception>
    public static float[] Load(string path, int channels, int height, int width)
    {
        var pixels = new float[CheckChannels(channels) * height * width];
        DecodeInto(File.ReadAllBytes(path), path, channels, height, width, pixels);
        return pixels;
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> (the contents of <paramref name="path"/>) and writes the image, converted to
    /// <paramref name="channels"/> and resized, into <paramref name="destination"/>. Safe to call from several threads.
    /// </summary>
    internal static void DecodeInto(byte[] bytes, string path, int channels, int height, int width, Span<float> destination)
    {
        var decoded = Decode(bytes, path);
        var layout = new ImageLayout(channels, decoded.Height, decoded.Width);
        if (decoded.Height == height && decoded.Width == width)
        {
            ToPlanes(decoded, channels, destination);
            return;
        }
        var full = ThreadScratch.Decode(layout.Numel);
        ToPlanes(decoded, channels, full);
        Bilinear.Resize(full, layout, destination, height, width);
    }

    /// <summary>Reads only the header: the image's size and channel count, or an error message.</summary>
    internal static string? CheckHeader(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var info = ImageInfo.FromStream(stream);
            if (info == null) return "not a PNG, JPEG, BMP, GIF or TGA image (the header is not recognised)";
            if (info.Value.Width <= 0 || info.Value.Height <= 0) return $"the header gives an empty size {info.Value.Width}x{info.Value.Height}";
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"the header cannot be read ({ex.Message})";
        }
    }

    private static ImageResult Decode(byte[] bytes, string path)
    {
        ImageResult? result;
        try
        {
            result = ImageResult.FromMemory(bytes, ReadComponents.Default);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // stb_image reports a short reason ("bad huffman code", "unknown image type"); a truncated stream can also
            // surface as an index error from inside the decoder.
            throw new DataFormatException(path, $"{bytes.Length} bytes", $"cannot decode the image: {ex.Message}", ex);
        }
        if (result == null || result.Data == null || result.Width <= 0 || result.Height <= 0)
            throw new DataFormatException(path, $"{bytes.Length} bytes", "cannot decode the image: the decoder returned no pixels.");
        int comp = (int)result.Comp;
        if (result.Data.Length < (long)result.Width * result.Height * comp)
            throw new DataFormatException(path, $"{bytes.Length} bytes", $"the decoder returned {result.Data.Length} bytes for a {result.Width}x{result.Height} image with {comp} components.");
        return result;
    }

    /// <summary>Interleaved 8-bit pixels to CHW floats in [0, 1] with the requested channel count.</summary>
    private static void ToPlanes(ImageResult image, int channels, Span<float> destination)
    {
        int comp = (int)image.Comp, plane = image.Width * image.Height;
        var data = image.Data;
        const float Scale = 1f / 255f;
        bool colour = comp >= 3;
        if (channels == 1)
        {
            for (int i = 0; i < plane; i++)
            {
                int p = i * comp;
                destination[i] = colour
                    ? ColorJitter.Luma(data[p], data[p + 1], data[p + 2]) * Scale
                    : data[p] * Scale;
            }
            return;
        }
        for (int i = 0; i < plane; i++)
        {
            int p = i * comp;
            if (colour)
            {
                destination[i] = data[p] * Scale;
                destination[plane + i] = data[p + 1] * Scale;
                destination[2 * plane + i] = data[p + 2] * Scale;
            }
            else
            {
                float g = data[p] * Scale;
                destination[i] = g;
                destination[plane + i] = g;
                destination[2 * plane + i] = g;
            }
        }
    }

    /// <summary>
    /// Writes a CHW image with values in [0, 1] (clamped, rounded to 8 bits) as a PNG; one channel gives a grey PNG,
    /// three an RGB one. Shape: <paramref name="pixels"/> <c>[C, H, W]</c> of <paramref name="layout"/>.
    /// </summary>
    public static void WritePng(string path, ReadOnlySpan<float> pixels, ImageLayout layout)
    {
        if (layout.Channels != 1 && layout.Channels != 3)
            throw new ArgumentException($"ImageFile.WritePng: needs 1 or 3 channels, got {layout.Channels}.");
        if (pixels.Length != layout.Numel)
            throw new ArgumentException($"ImageFile.WritePng: {pixels.Length} values do not make a {layout.Channels}x{layout.Height}x{layout.Width} image.");
        var bytes = new byte[layout.Numel];
        int plane = layout.Plane, c = layout.Channels;
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < plane; i++)
                bytes[i * c + ch] = (byte)MathF.Round(Math.Clamp(pixels[ch * plane + i], 0f, 1f) * 255f);
        WriteInterleaved(path, bytes, layout.Width, layout.Height, c);
    }

    /// <summary>Writes interleaved 8-bit pixels (1 = grey, 3 = RGB) as a PNG, through a temporary file so a failed write leaves no partial image.</summary>
    internal static void WriteInterleaved(string path, byte[] bytes, int width, int height, int channels)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            new ImageWriter().WritePng(bytes, width, height, channels == 1 ? WriteComponents.Grey : WriteComponents.RedGreenBlue, stream);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static int CheckChannels(int channels) =>
        channels is 1 or 3 ? channels : throw new ArgumentException($"ImageFile: channels must be 1 (grey) or 3 (RGB), got {channels}.");
}
