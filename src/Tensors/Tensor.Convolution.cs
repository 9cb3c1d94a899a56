namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation). Shape: input <c>[N, C, H, W]</c>, weight <c>[O, C/groups, kh, kw]</c>,
    /// bias <c>[O]</c> or null; output <c>[N, O, OH, OW]</c> (see <see cref="Conv2dParams"/>).
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, Conv2dParams p)
    {
        var (n, _, oh, ow, o) = CheckConv2d(input, weight, bias, p, "Conv2d");
        var y = Empty(new Shape(n, o, oh, ow), input.Device);
        if (y.Numel > 0) input.Backend.Conv2d(input.Contiguous(), weight.Contiguous(), bias?.Contiguous(), p, y);
        return y;
    }

    /// <summary>Gradient of <see cref="Conv2d"/> with respect to its input. Shape: gradOutput <c>[N, O, OH, OW]</c> -&gt; <c>inputShape</c>.</summary>
    public static Tensor Conv2dBackwardInput(Tensor gradOutput, Tensor weight, Shape inputShape, Conv2dParams p)
    {
        var probe = new Shape(inputShape.ToArray());
        var (n, _, oh, ow, o) = CheckConvShapes(probe, weight.Shape, p, "Conv2dBackwardInput");
        ExpectShape("Conv2dBackwardInput", "gradOutput", gradOutput.Shape, new Shape(n, o, oh, ow));
        gradOutput.CheckSameDevice("Conv2dBackwardInput", weight);
        var gx = Empty(inputShape, gradOutput.Device);
        if (gx.Numel > 0) gradOutput.Backend.Conv2dBackwardInput(gradOutput.Contiguous(), weight.Contiguous(), p, gx);
        return gx;
    }

    /// <summary>Gradient of <see cref="Conv2d"/> with respect to its weight. Shape: -&gt; <c>weightShape</c>.</summary>
    public static Tensor Conv2dBackwardWeight(Tensor input, Tensor gradOutput, Shape weightShape, Conv2dParams p)
    {
        var (n, _, oh, ow, o) = CheckConvShapes(input.Shape, weightShape, p, "Conv2dBackwardWeight");
        ExpectShape("Conv2dBackwardWeight", "gradOutput", gradOutput.Shape, new Shape(n, o, oh, ow));
        input.CheckSameDevice("Conv2dBackwardWeight", gradOutput);
        var gw = Empty(weightShape, input.Device);
        if (gw.Numel > 0) input.Backend.Conv2dBackwardWeight(input.Contiguous(), gradOutput.Contiguous(), p, gw);
        return gw;
    }

    /// <summary>
    /// Unfolds patches for a kh x kw kernel. Shape: <c>[N, C, H, W] -&gt; [N, C*kh*kw, OH*OW]</c>.
    /// </summary>
    public Tensor Im2Col(int kernelH, int kernelW, Conv2dParams p)
    {
        var (n, c, oh, ow, _) = CheckConvShapes(Shape, new Shape(1, Rank == 4 ? Shape[1] : 1, kernelH, kernelW), p with { Groups = 1 }, "Im2Col");
        var cols = Empty(new Shape(n, c * kernelH * kernelW, oh * ow), Device);
        if (cols.Numel > 0) Backend.Im2Col(Contiguous(), kernelH, kernelW, p, cols);
        return cols;
    }

    /// <summary>Folds columns back, summing overlaps. Shape: <c>[N, C*kh*kw, OH*OW] -&gt; imageShape [N, C, H, W]</c>.</summary>
    public Tensor Col2Im(Shape imageShape, int kernelH, int kernelW, Conv2dParams p)
    {
        var (n, c, oh, ow, _) = CheckConvShapes(imageShape, new Shape(1, imageShape.Rank == 4 ? imageShape[1] : 1, kernelH, kernelW), p with { Groups = 1 }, "Col2Im");
        ExpectShape("Col2Im", "columns", Shape, new Shape(n, c * kernelH * kernelW, oh * ow));
        var x = Empty(imageShape, Device);
        if (x.Numel > 0) Backend.Col2Im(Contiguous(), kernelH, kernelW, p, x);
        return x;
    }

    /// <summary>
    /// Max pooling with the winning positions. Shape: <c>[N, C, H, W] -&gt; [N, C, OH, OW]</c> twice (values, indices
    /// as flat <c>h*W+w</c> positions within each plane).
    /// </summary>
    public (Tensor Values, Tensor Indices) MaxPool2d(Pool2dParams p)
    {
        var (n, c, oh, ow) = CheckPool(p, "MaxPool2d");
        var y = Empty(new Shape(n, c, oh, ow), Device);
        var idx = Empty(new Shape(n, c, oh, ow), Device);
        if (y.Numel > 0) Backend.MaxPool2d(Contiguous(), p, y, idx);
        return (y, idx);
    }

    /// <summary>Backward of <see cref="MaxPool2d"/>. Shape: gradOutput <c>[N, C, OH, OW]</c> -&gt; <c>inputShape</c>.</summary>
    public static Tensor MaxPool2dBackward(Tensor gradOutput, Tensor indices, Shape inputShape)
    {
        ExpectShape("MaxPool2dBackward", "indices", indices.Shape, gradOutput.Shape);
        if (inputShape.Rank != 4 || gradOutput.Rank != 4 || inputShape[0] != gradOutput.Shape[0] || inputShape[1] != gradOutput.Shape[1])
            throw new ArgumentException($"MaxPool2dBackward: gradOutput {gradOutput.Shape} does not belong to an input of shape {inputShape}.");
        var gx = Empty(inputShape, gradOutput.Device);
        if (gx.Numel > 0) gradOutput.Backend.MaxPool2dBackward(gradOutput.Contiguous(), indices.Contiguous(), gx);
        return gx;
    }

    /// <summary>Average pooling. Shape: <c>[N, C, H, W] -&gt; [N, C, OH, OW]</c>.</summary>
    public Tensor AvgPool2d(Pool2dParams p)
    {
        CheckNoDilation(p, "AvgPool2d");
        var (n, c, oh, ow) = CheckPool(p, "AvgPool2d");
        var y = Empty(new Shape(n, c, oh, ow), Device);
        if (y.Numel > 0) Backend.AvgPool2d(Contiguous(), p, y);
        return y;
    }

    /// <summary>Backward of <see cref="AvgPool2d"/>. Shape: gradOutput <c>[N, C, OH, OW]</c> -&gt; <c>inputShape</c>.</summary>
    public static Tensor AvgPool2dBackward(Tensor gradOutput, Shape inputShape, Pool2dParams p)
    {
        if (inputShape.Rank != 4) throw new ArgumentException($"AvgPool2dBackward: input shape must be [N, C, H, W], got {inputShape}.");
        CheckNoDilation(p, "AvgPool2dBackward");
        var expected = new Shape(inputShape[0], inputShape[1], p.OutputHeight(inputShape[2]), p.OutputWidth(inputShape[3]));
        ExpectShape("AvgPool2dBackward", "gradOutput", gradOutput.Shape, expected);
        var gx = Empty(inputShape, gradOutput.Device);
        if (gx.Numel > 0) gradOutput.Backend.AvgPool2dBackward(gradOutput.Contiguous(), p, gx);
        return gx;
    }

    /// <summary>
    /// Per-channel mean and population variance over every axis but 1. Shape: <c>[N, C, *] -&gt; ([C], [C])</c>.
    /// </summary>
    public (Tensor Mean, Tensor Variance) BatchNormStatistics()
    {
        if (Rank < 2) throw new ArgumentException($"BatchNormStatistics: input must be [N, C, *], got {Shape}.");
        if (Numel == 0 || Shape[0] == 0) throw new ArgumentException($"BatchNormStatistics: input {Shape} has no elements per channel.");
        var mean = Empty(new Shape(Shape[1]), Device);
        var variance = Empty(new Shape(Shape[1]), Device);
        Backend.BatchNormStatistics(Contiguous(), mean, variance);
        return (mean, variance);
    }

    private static (int N, int C, int OH, int OW, int O) CheckConv2d(Tensor input, Tensor weight, Tensor? bias, Conv2dParams p, string op)
    {
        input.CheckSameDevice(op, weight);
        var r = CheckConvShapes(input.Shape, weight.Shape, p, op);
        if (bias is not null)
        {
            input.CheckSameDevice(op, bias);
            ExpectShape(op, "bias", bias.Shape, new Shape(r.O));
        }
        return r;
    }

    private static (int N, int C, int OH, int OW, int O) CheckConvShapes(Shape x, Shape w, Conv2dParams p, string op)
    {
        if (x.Rank != 4) throw new ArgumentException($"{op}: input must be [N, C, H, W], got {x}.");
        if (w.Rank != 4) throw new ArgumentException($"{op}: weight must be [O, C/groups, kh, kw], got {w}.");
        if (p.StrideH < 1 || p.StrideW < 1 || p.DilationH < 1 || p.DilationW < 1 || p.PadH < 0 || p.PadW < 0 || p.Groups < 1)
            throw new ArgumentException($"{op}: invalid geometry {p} (strides and dilations must be >= 1, padding >= 0, groups >= 1).");
        int n = x[0], c = x[1], h = x[2], wd = x[3];
        int o = w[0], kh = w[2], kw = w[3];
        if (c % p.Groups != 0 || o % p.Groups != 0)
            throw new ArgumentException($"{op}: {c} input and {o} output channels are not both divisible by groups={p.Groups}.");
        if (w[1] * p.Groups != c)
            throw new ArgumentException($"{op}: weight {w} expects {w[1] * p.Groups} input channels (groups={p.Groups}), but input {x} has {c}.");
        int oh = p.OutputHeight(h, kh), ow = p.OutputWidth(wd, kw);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: a {kh}x{kw} kernel (dilation {p.DilationH}x{p.DilationW}, padding {p.PadH}x{p.PadW}) does not fit input {x}.");
        return (n, c, oh, ow, o);
    }

    private (int N, int C, int OH, int OW) CheckPool(Pool2dParams p, string op)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: input must be [N, C, H, W], got {Shape}.");
        if (p.KernelH < 1 || p.KernelW < 1 || p.StrideH < 1 || p.StrideW < 1 || p.DilationH < 1 || p.DilationW < 1)
            throw new ArgumentException($"{op}: invalid geometry {p} (kernel, stride and dilation must be >= 1).");
        if (p.PadH < 0 || p.PadW < 0 || p.PadH * 2 > p.KernelH || p.PadW * 2 > p.KernelW)
            throw new ArgumentException($"{op}: padding {p.PadH}x{p.PadW} must be between 0 and half the kernel {p.KernelH}x{p.KernelW}.");
        int oh = p.OutputHeight(Shape[2]), ow = p.OutputWidth(Shape[3]);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: window {p.KernelH}x{p.KernelW} does not fit input {Shape}.");
        return (Shape[0], Shape[1], oh, ow);
    }

    // Average pooling has no dilation (as in PyTorch); its kernels ignore it, so the output size must not use it either.
    private static void CheckNoDilation(Pool2dParams p, string op)
    {
        if (p.DilationH != 1 || p.DilationW != 1)
            throw new ArgumentException($"{op}: average pooling takes no dilation, got {p.DilationH}x{p.DilationW}.");
    }

    private static void ExpectShape(string op, string what, Shape actual, Shape expected)
    {
        if (actual != expected)
            throw new ArgumentException($"{op}: {what} must have shape {expected}, got {actual}.");
    }
}
