using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Pooling. Max pooling passes each output's gradient to the input that won its window (the kernel records where);
// average pooling spreads it evenly over the window.
public static partial class F
{
    /// <summary>
    /// 2-D max pooling; the gradient goes to each window's maximum (the first, on ties).
    /// Shape: <c>[N, C, H, W] -&gt; [N, C, OH, OW]</c>.
    /// </summary>
    public static Variable MaxPool2d(Variable input, Pool2dParams p)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.Shape;
        var (y, indices) = input.Data.MaxPool2d(p);
        return Record("MaxPool2d", y, [input], "dX[argmax of each window] += dY", dY =>
            [Tensor.MaxPool2dBackward(dY, indices, shape)], indices);
    }

    /// <summary>2-D max pooling with a square window; the stride defaults to the window.</summary>
    public static Variable MaxPool2d(Variable input, int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPool2d(input, Pool2dParams.Square(kernel, stride, padding, dilation, ceilMode));

    /// <summary>
    /// 2-D average pooling; each output's gradient is shared equally by its window.
    /// Shape: <c>[N, C, H, W] -&gt; [N, C, OH, OW]</c>.
    /// </summary>
    public static Variable AvgPool2d(Variable input, Pool2dParams p)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.Shape;
        return Record("AvgPool2d", input.Data.AvgPool2d(p), [input], "dX[window] += dY / window size", dY =>
            [Tensor.AvgPool2dBackward(dY, shape, p)]);
    }

    /// <summary>2-D average pooling with a square window; the stride defaults to the window.</summary>
    public static Variable AvgPool2d(Variable input, int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        AvgPool2d(input, Pool2dParams.Square(kernel, stride, padding, 1, ceilMode, countIncludePad));

    /// <summary>
    /// Average over each channel's whole plane (adaptive average pooling to 1x1). Composite: a Mean over the spatial axes.
    /// Shape: <c>[N, C, H, W] -&gt; [N, C, 1, 1]</c>.
    /// </summary>
    public static Variable GlobalAvgPool2d(Variable input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"GlobalAvgPool2d: input must be [N, C, H, W], got {input.Shape}.");
        return input.Mean([2, 3], keepDim: true);
    }
}
