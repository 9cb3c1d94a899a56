using NetFromScratch.Autograd;
using NetFromScratch.Nn.Init;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// 2-D convolution with stride, padding, dilation and groups.
/// Shape: input <c>[N, in, H, W]</c> -&gt; output <c>[N, out, OH, OW]</c>, <c>OH = (H + 2p - d(k-1) - 1)/s + 1</c>;
/// weight <c>[out, in/groups, kh, kw]</c>, bias <c>[out]</c>.
/// Initialisation (PyTorch's): Kaiming uniform with a = sqrt(5) for the weight, bias uniform on
/// <c>(-1/sqrt(fan_in), 1/sqrt(fan_in))</c> with fan_in = in/groups * kh * kw.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates a square-kernel convolution.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1,
        int groups = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), Conv2dParams.Square(stride, padding, dilation, groups), bias, generator) { }

    /// <summary>Creates a convolution with any kernel and geometry.</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, Conv2dParams geometry, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.H <= 0 || kernelSize.W <= 0)
            throw new ArgumentException($"Conv2d: channels and kernel must be positive, got {inChannels} -> {outChannels}, kernel {kernelSize.H}x{kernelSize.W}.");
        if (geometry.Groups <= 0 || inChannels % geometry.Groups != 0 || outChannels % geometry.Groups != 0)
            throw new ArgumentException($"Conv2d: {inChannels} input and {outChannels} output channels must both be divisible by groups={geometry.Groups}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Geometry = geometry;
        Weight = RegisterParameter("weight", Tensor.Empty(new Shape(outChannels, inChannels / geometry.Groups, kernelSize.H, kernelSize.W)));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty(new Shape(outChannels))) : null;
        ResetParameters(generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride, padding, dilation and groups.</summary>
    public Conv2dParams Geometry { get; }

    /// <summary>Shape: <c>[out, in/groups, kh, kw]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>Shape: <c>[out]</c>, or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <summary>PyTorch's default initialisation (see the class remarks).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Initializers.KaimingUniform(Weight.Data, a: MathF.Sqrt(5f), generator: generator);
        if (Bias is not null)
        {
            float bound = 1f / MathF.Sqrt(Initializers.Fans(Weight.Shape).FanIn);
            Initializers.Uniform(Bias.Data, -bound, bound, generator);
        }
    }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw ShapeErrors.Wrong($"Conv2d({InChannels} -> {OutChannels}, kernel {KernelSize.H}x{KernelSize.W})", $"[N, {InChannels}, H, W]", input.Shape);
        int oh = Geometry.OutputHeight(input.Shape[2], KernelSize.H), ow = Geometry.OutputWidth(input.Shape[3], KernelSize.W);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"Conv2d({InChannels} -> {OutChannels}, kernel {KernelSize.H}x{KernelSize.W}, padding {Geometry.PadH}): input {input.Shape} is too small for the kernel.");
        return F.Conv2d(input, Weight, Bias?.Variable, Geometry);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({Geometry.StrideH}, {Geometry.StrideW}), padding=({Geometry.PadH}, {Geometry.PadW})" +
        (Geometry.DilationH != 1 || Geometry.DilationW != 1 ? $", dilation=({Geometry.DilationH}, {Geometry.DilationW})" : "") +
        (Geometry.Groups != 1 ? $", groups={Geometry.Groups}" : "") + (Bias is null ? ", bias=False" : "");
}
