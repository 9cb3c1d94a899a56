using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Max pooling over square windows (stride defaults to the kernel size, as in PyTorch).
/// Shape: <c>[N, C, H, W]</c> -&gt; <c>[N, C, OH, OW]</c>. No parameters.
/// </summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) : Module
{
    /// <summary>The pooling geometry.</summary>
    public Pool2dParams Geometry { get; } = Pool2dParams.Square(kernelSize, stride, padding, dilation, ceilMode);

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank != 4) throw ShapeErrors.Wrong($"MaxPool2d(kernel {Geometry.KernelH})", "[N, C, H, W]", input.Shape);
        return F.MaxPool2d(input, Geometry);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Geometry.KernelH}, stride={Geometry.StrideH}, padding={Geometry.PadH}, dilation={Geometry.DilationH}, ceil_mode={Geometry.CeilMode}";
}
