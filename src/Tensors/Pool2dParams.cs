namespace NetFromScratch.Tensors;

/// <summary>
/// Geometry of 2-D max or average pooling. Output size per spatial axis (floor mode):
/// <c>out = (in + 2*pad - dilation*(kernel-1) - 1) / stride + 1</c>; ceil mode rounds up, but a window
/// may not start inside the right or bottom padding.
/// </summary>
/// <param name="KernelH">Window height.</param>
/// <param name="KernelW">Window width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Implicit padding above and below (-inf for max, zeros for average); at most half the kernel.</param>
/// <param name="PadW">Implicit padding left and right.</param>
/// <param name="DilationH">Vertical spacing between taps (max pooling only).</param>
/// <param name="DilationW">Horizontal spacing between taps (max pooling only).</param>
/// <param name="CeilMode">Round the output size up instead of down.</param>
/// <param name="CountIncludePad">Average pooling divides by the whole window, padding included.</param>
public readonly record struct Pool2dParams(
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH = 0, int PadW = 0,
    int DilationH = 1, int DilationW = 1, bool CeilMode = false, bool CountIncludePad = true)
{
    /// <summary>A square window; the stride defaults to the kernel size, as in PyTorch.</summary>
    public static Pool2dParams Square(int kernel, int? stride = null, int padding = 0, int dilation = 1,
        bool ceilMode = false, bool countIncludePad = true) =>
        new(kernel, kernel, stride ?? kernel, stride ?? kernel, padding, padding, dilation, dilation, ceilMode, countIncludePad);

    /// <summary>Output height for input height <paramref name="h"/>.</summary>
    public int OutputHeight(int h) => OutputSize(h, KernelH, StrideH, PadH, DilationH);

    /// <summary>Output width for input width <paramref name="w"/>.</summary>
    public int OutputWidth(int w) => OutputSize(w, KernelW, StrideW, PadW, DilationW);

    private int OutputSize(int size, int kernel, int stride, int pad, int dilation)
    {
        int span = size + 2 * pad - dilation * (kernel - 1) - 1;
        if (span < 0) return 0; // the window is wider than the padded input
        int o = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        // PyTorch's rule: in ceil mode the last window must start inside the input or the left padding.
        if (CeilMode && (o - 1) * stride >= size + pad) o--;
        return o;
    }
}
