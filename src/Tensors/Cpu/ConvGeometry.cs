namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Every size a convolution kernel needs, worked out once from the input shape, the weight shape and the
/// parameters. The column matrix of one image has <see cref="Rows"/> rows (one per channel and kernel tap,
/// channel-major) and <see cref="Pixels"/> columns (one per output pixel).
/// </summary>
internal readonly struct ConvGeometry
{
    public readonly int N, C, H, W, O, KH, KW, OH, OW, Groups;
    public readonly int SH, SW, PH, PW, DH, DW;

    public ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, Conv2dParams p)
    {
        N = n; C = c; H = h; W = w; O = o; KH = kh; KW = kw; Groups = p.Groups;
        SH = p.StrideH; SW = p.StrideW; PH = p.PadH; PW = p.PadW; DH = p.DilationH; DW = p.DilationW;
        OH = p.OutputHeight(h, kh);
        OW = p.OutputWidth(w, kw);
    }

    /// <summary>Geometry of a convolution of <paramref name="x"/> (<c>[N, C, H, W]</c>) with a weight of shape <c>[O, C/groups, kh, kw]</c>.</summary>
    public static ConvGeometry Of(Shape x, Shape weight, Conv2dParams p) =>
        new(x[0], x[1], x[2], x[3], weight[0], weight[2], weight[3], p);

    /// <summary>Output pixels per image (columns of one image's column matrix).</summary>
    public int Pixels => OH * OW;

    /// <summary>Input pixels per channel plane.</summary>
    public int Plane => H * W;

    /// <summary>Rows of one image's column matrix: <c>C * kh * kw</c>.</summary>
    public int Rows => C * KH * KW;

    /// <summary>Input channels per group.</summary>
    public int GroupChannels => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutputs => O / Groups;

    /// <summary>Rows of one group's slice of the column matrix (the GEMM inner dimension of the forward pass).</summary>
    public int GroupRows => GroupChannels * KH * KW;

    /// <summary>
    /// A 1x1 kernel with unit stride and no padding: each image's input planes already are its column matrix.
    /// </summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    /// <summary>Multiply-adds times two of one pass (forward, backward-input and backward-weight all cost the same).</summary>
    public double Flops => 2.0 * N * O * Pixels * GroupRows;
}
