using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// The small CNN <c>nfs compare</c> pretrains and fine-tunes: four 3x3 convolution blocks (16, 32, 64, 64 channels,
/// each with BatchNorm and ReLU; max pools after the first three), global average pooling and a Linear head. About
/// 66,000 parameters; a few seconds per epoch on 1,000 images of 32x32 on two cores.
/// Shape: <c>[N, 3, H, W]</c> (H, W at least 8) -&gt; <c>[N, classes]</c>.
/// </summary>
public static class CompareNetwork
{
    /// <summary>Builds the network with random weights.</summary>
    public static Sequential Create(int classes, Generator? generator = null)
    {
        var net = new Sequential();
        int c = 3;
        int[] widths = [16, 32, 64, 64];
        for (int i = 0; i < widths.Length; i++)
        {
            net.Add(new Conv2d(c, widths[i], 3, padding: 1, bias: false, generator: generator)).Add(new BatchNorm2d(widths[i])).Add(new ReLU());
            if (i < widths.Length - 1) net.Add(new MaxPool2d(2));
            c = widths[i];
        }
        net.Add(new AdaptiveAvgPool2d(1)).Add(new Flatten()).Add(new Linear(c, classes, generator: generator));
        return net;
    }
}
