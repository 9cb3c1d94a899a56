using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.Bench;

/// <summary>One convolution layer's geometry, square images and kernels.</summary>
/// <param name="Name">Where the layer comes from, for example <c>resnet18.layer1</c>.</param>
/// <param name="Batch">Images per batch (N).</param>
/// <param name="InChannels">Input channels (C).</param>
/// <param name="Size">Input height and width (H = W).</param>
/// <param name="OutChannels">Output channels (O).</param>
/// <param name="Kernel">Kernel height and width.</param>
/// <param name="Stride">Stride in both directions.</param>
/// <param name="Padding">Zero padding on every side.</param>
public sealed record ConvBenchCase(string Name, int Batch, int InChannels, int Size, int OutChannels, int Kernel, int Stride, int Padding)
{
    /// <summary>
    /// The layers of the reference workloads: the CIFAR CNN (batch 64, 3x3, no padding, 2x2 pooling between layers) and
    /// ResNet-18 at 224x224 (batch 8), including the stride-2 downsampling convolutions.
    /// </summary>
    public static readonly ConvBenchCase[] Standard =
    [
        new("cifar.conv1", 64, 3, 32, 32, 3, 1, 0),
        new("cifar.conv2", 64, 32, 15, 64, 3, 1, 0),
        new("cifar.conv3", 64, 64, 6, 64, 3, 1, 0),
        new("resnet18.conv1", 8, 3, 224, 64, 7, 2, 3),
        new("resnet18.layer1", 8, 64, 56, 64, 3, 1, 1),
        new("resnet18.layer2.down", 8, 64, 56, 128, 3, 2, 1),
        new("resnet18.layer2", 8, 128, 28, 128, 3, 1, 1),
        new("resnet18.layer3.down", 8, 128, 28, 256, 3, 2, 1),
        new("resnet18.layer3", 8, 256, 14, 256, 3, 1, 1),
        new("resnet18.layer4.down", 8, 256, 14, 512, 3, 2, 1),
        new("resnet18.layer4", 8, 512, 7, 512, 3, 1, 1),
    ];

    /// <summary>The convolution parameters.</summary>
    public Conv2dParams Params => Conv2dParams.Square(Stride, Padding);

    /// <summary>Output height and width.</summary>
    public int OutputSize => Params.OutputHeight(Size, Kernel);

    /// <summary>Floating-point operations of each pass (forward, backward-input, backward-weight): <c>2 N O OH OW C kh kw</c>.</summary>
    public double Flops => 2.0 * Batch * OutChannels * OutputSize * OutputSize * InChannels * Kernel * Kernel;

    /// <summary>The fixed part of a bench line.</summary>
    public string Describe() =>
        $"n={Batch} c={InChannels} h={Size} w={Size} o={OutChannels} k={Kernel} stride={Stride} pad={Padding}";
}
