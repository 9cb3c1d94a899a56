using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Average pooling over square windows (stride defaults to the kernel size).
/// Shape: <c>[N, C, H, W]</c> -&gt; <c>[N, C, OH, OW]</c>. No parameters.
/// </summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) : Module
{
    /// <summary>The pooling geometry.</summary>
    public Pool2dParams Geometry { get; } = Pool2dParams.Square(kernelSize, stride, padding, 1, ceilMode, countIncludePad);

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank != 4) throw ShapeErrors.Wrong($"AvgPool2d(kernel {Geometry.KernelH})", "[N, C, H, W]", input.Shape);
        return F.AvgPool2d(input, Geometry);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Geometry.KernelH}, stride={Geometry.StrideH}, padding={Geometry.PadH}";
}
