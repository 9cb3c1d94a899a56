using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>
/// Small convolutional networks for 32x32 colour images (CIFAR-10 format).
/// Shape: <c>[N, 3, 32, 32]</c> -&gt; <c>[N, classes]</c>.
/// </summary>
public static class CifarCnn
{
    /// <summary>
    /// The well-known Keras CIFAR-10 CNN: Conv 32 3x3 + ReLU, MaxPool 2, Conv 64 3x3 + ReLU, MaxPool 2, Conv 64 3x3 + ReLU,
    /// Flatten, Dense 64 + ReLU, Dense classes. Spatial sizes 32 -&gt; 30 -&gt; 15 -&gt; 13 -&gt; 6 -&gt; 4, so the first Dense
    /// takes 64*4*4 = 1024 features; 122,570 parameters for 10 classes.
    /// </summary>
    public static Sequential Create(int classes = 10, int inChannels = 3, Generator? generator = null) => new(
        new Conv2d(inChannels, 32, 3, generator: generator), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, generator: generator), new ReLU(), new MaxPool2d(2),
        new Conv2d(64, 64, 3, generator: generator), new ReLU(),
        new Flatten(),
        new Linear(64 * 4 * 4, 64, generator: generator), new ReLU(),
        new Linear(64, classes, generator: generator));

    /// <summary>
    /// A VGG-style small network with BatchNorm and Dropout: three blocks of two 3x3 convolutions (32, 64, 128 channels,
    /// padding 1) with BatchNorm and ReLU, each followed by MaxPool 2 and Dropout; then Linear 2048 -&gt; 128, ReLU, Dropout 0.5,
    /// Linear 128 -&gt; classes.
    /// </summary>
    public static Sequential SmallVgg(int classes = 10, int inChannels = 3, float dropout = 0.25f, Generator? generator = null)
    {
        var net = new Sequential();
        int c = inChannels;
        foreach (int width in new[] { 32, 64, 128 })
        {
            net.Add(new Conv2d(c, width, 3, padding: 1, bias: false, generator: generator)).Add(new BatchNorm2d(width)).Add(new ReLU());
            net.Add(new Conv2d(width, width, 3, padding: 1, bias: false, generator: generator)).Add(new BatchNorm2d(width)).Add(new ReLU());
            net.Add(new MaxPool2d(2)).Add(new Dropout(dropout, generator));
            c = width;
        }
        net.Add(new Flatten()).Add(new Linear(128 * 4 * 4, 128, generator: generator)).Add(new ReLU()).Add(new Dropout(0.5f, generator))
           .Add(new Linear(128, classes, generator: generator));
        return net;
    }
}
