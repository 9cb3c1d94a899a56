using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>
/// ResNet's basic residual block (ResNet-18/34): two 3x3 convolutions with BatchNorm, ReLU between, plus the
/// shortcut (an optional 1x1 <c>downsample</c> when the shape changes), then ReLU. Names as torchvision's:
/// <c>conv1, bn1, conv2, bn2, downsample.0, downsample.1</c>.
/// Shape: <c>[N, inPlanes, H, W]</c> -&gt; <c>[N, planes, H/stride, W/stride]</c>.
/// </summary>
public sealed class BasicBlock : Module
{
    /// <summary>Output channels per input "plane" width.</summary>
    public const int Expansion = 1;

    /// <summary>Creates the block.</summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Relu = RegisterModule("relu", new ReLU());
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias: false, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes * Expansion)
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes * Expansion, 1, stride, bias: false, generator: generator), new BatchNorm2d(planes * Expansion)));
    }

    /// <summary>First 3x3 convolution (carries the stride).</summary>
    public Conv2d Conv1 { get; }
    /// <summary>BatchNorm after conv1.</summary>
    public BatchNorm2d Bn1 { get; }
    /// <summary>The activation.</summary>
    public ReLU Relu { get; }
    /// <summary>Second 3x3 convolution.</summary>
    public Conv2d Conv2 { get; }
    /// <summary>BatchNorm after conv2.</summary>
    public BatchNorm2d Bn2 { get; }
    /// <summary>The 1x1 projection of the shortcut, or null for the identity.</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        var identity = Downsample is null ? input : Downsample.Forward(input);
        var x = Relu.Forward(Bn1.Forward(Conv1.Forward(input)));
        x = Bn2.Forward(Conv2.Forward(x));
        return Relu.Forward(x + identity);
    }
}
