namespace NetFromScratch.Tensors;

/// <summary>
/// Geometry of a 2-D convolution. Output size per spatial axis:
/// <c>out = (in + 2*pad - dilation*(kernel-1) - 1) / stride + 1</c>.
/// </summary>
/// <param name="StrideH">Vertical stride, &gt;= 1.</param>
/// <param name="StrideW">Horizontal stride, &gt;= 1.</param>
/// <param name="PadH">Zero padding added above and below.</param>
/// <param name="PadW">Zero padding added left and right.</param>
/// <param name="DilationH">Vertical spacing between kernel taps, &gt;= 1.</param>
/// <param name="DilationW">Horizontal spacing between kernel taps, &gt;= 1.</param>
/// <param name="Groups">Channel groups; input and output channels must both be divisible by it.</param>
public readonly record struct Conv2dParams(
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0,
    int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    /// <summary>
    /// Stride 1, no padding, dilation 1, one group, as <c>nn.Conv2d</c>'s defaults. Without this, <c>new Conv2dParams()</c>
    /// would be the all-zero struct, whose stride of 0 every convolution rejects. (<c>default(Conv2dParams)</c> still is.)
    /// </summary>
    public Conv2dParams() : this(1, 1, 0, 0, 1, 1, 1) { }

    /// <summary>Square stride, padding and dilation.</summary>
    public static Conv2dParams Square(int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        new(stride, stride, padding, padding, dilation, dilation, groups);

    /// <summary>Output height for input height <paramref name="h"/> and kernel height <paramref name="kh"/>.</summary>
    public int OutputHeight(int h, int kh) => OutputSize(h + 2 * PadH - DilationH * (kh - 1) - 1, StrideH);

    /// <summary>Output width for input width <paramref name="w"/> and kernel width <paramref name="kw"/>.</summary>
    public int OutputWidth(int w, int kw) => OutputSize(w + 2 * PadW - DilationW * (kw - 1) - 1, StrideW);

    // A kernel wider than the padded input has no output; integer division alone would round -1/2 up to 0 and give 1.
    private static int OutputSize(int span, int stride) => span < 0 ? 0 : span / stride + 1;
}
