using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// The channel, height and width of one image sample stored channel-major (CHW): element <c>(c, y, x)</c> sits at
/// <c>(c * Height + y) * Width + x</c>. A rank-2 shape <c>[H, W]</c> reads as one channel.
/// </summary>
public readonly record struct ImageLayout(int Channels, int Height, int Width)
{
    /// <summary>Values in one channel plane.</summary>
    public int Plane => Height * Width;

    /// <summary>Values in the whole image.</summary>
    public int Numel => Channels * Height * Width;

    /// <summary>Reads the layout of <paramref name="shape"/>; <paramref name="op"/> names the caller in errors.</summary>
    /// <exception cref="ArgumentException">The shape is not <c>[C, H, W]</c> or <c>[H, W]</c> with positive sizes.</exception>
    public static ImageLayout Of(Shape shape, string op)
    {
        var layout = shape.Rank switch
        {
            3 => new ImageLayout(shape[0], shape[1], shape[2]),
            2 => new ImageLayout(1, shape[0], shape[1]),
            _ => throw new ArgumentException($"{op}: expects an image sample of shape [C, H, W] (or [H, W]), got {shape}."),
        };
        if (layout.Channels <= 0 || layout.Height <= 0 || layout.Width <= 0)
            throw new ArgumentException($"{op}: image sample shape {shape} has an empty dimension.");
        return layout;
    }

    /// <summary>Checks that a sample of <paramref name="length"/> values fits this layout.</summary>
    internal void CheckLength(int length, Shape shape, string op)
    {
        if (length != Numel)
            throw new ArgumentException($"{op}: the sample holds {length} values but shape {shape} needs {Numel}.");
    }
}
