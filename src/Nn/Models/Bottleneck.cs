using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>
/// ResNet's bottleneck block (ResNet-50): 1x1 reduce, 3x3 (carrying the stride, as torchvision's "v1.5"), 1x1 expand
/// by 4, each with BatchNorm, plus the shortcut, then ReLU. Names: <c>conv1..3, bn1..3, downsample.0/1</c>.
/// Shape: <c>[N, inPlanes, H, W]</c> -&gt; <c>[N, 4*planes, H/stride, W/stride]</c>.
/// </summary>
public sealed class Bottleneck : Module
{
    /// <summary>Output channels are 4 times the block's plane width.</summary>
    public const int Expansion = 4;

    /// <summary>Creates the block.</summary>
    public Bottleneck(int inPlanes, int planes, int stride = 1, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, stride, 1, bias: false, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        Conv3 = RegisterModule("conv3", new Conv2d(planes, planes * Expansion, 1, bias: false, generator: generator));
        Bn3 = RegisterModule("bn3", new BatchNorm2d(planes * Expansion));
        Relu = RegisterModule("relu", new ReLU());
        if (stride != 1 || inPlanes != planes * Expansion)
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes * Expansion, 1, stride, bias: false, generator: generator), new BatchNorm2d(planes * Expansion)));
    }

    /// <summary>1x1 reduction.</summary>
    public Conv2d Conv1 { get; }
    /// <summary>BatchNorm after conv1.</summary>
    public BatchNorm2d Bn1 { get; }
    /// <summary>3x3 convolution (carries the stride).</summary>
    public Conv2d Conv2 { get; }
    /// <summary>BatchNorm after conv2.</summary>
    public BatchNorm2d Bn2 { get; }
    /// <summary>1x1 expansion.</summary>
    public Conv2d Conv3 { get; }
    /// <summary>BatchNorm after conv3.</summary>
    public BatchNorm2d Bn3 { get; }
    /// <summary>The activation.</summary>
    public ReLU Relu { get; }
    /// <summary>The 1x1 projection of the shortcut, or null for the identity.</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        var identity = Downsample is null ? input : Downsample.Forward(input);
        var x = Relu.Forward(Bn1.Forward(Conv1.Forward(input)));
        x = Relu.Forward(Bn2.Forward(Conv2.Forward(x)));
        x = Bn3.Forward(Conv3.Forward(x));
        return Relu.Forward(x + identity);
    }
}
