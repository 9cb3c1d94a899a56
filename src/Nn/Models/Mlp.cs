using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>
/// Multi-layer perceptrons. The reference network of the PyTorch MNIST example is
/// <c>Flatten, Linear(784, 128), ReLU, Linear(128, 64), ReLU, Linear(64, 10)</c>.
/// Shape: <c>[N, *]</c> (flattened to <c>[N, inputs]</c>) -&gt; <c>[N, classes]</c>.
/// </summary>
public static class Mlp
{
    /// <summary>
    /// Flatten, then for each hidden size a Linear and a ReLU (and Dropout when <paramref name="dropout"/> &gt; 0), then the
    /// output Linear. Parameters are named by position (<c>1.weight</c>, <c>3.weight</c>, ...).
    /// </summary>
    public static Sequential Create(int inputs = 784, int[]? hidden = null, int classes = 10, float dropout = 0f, Generator? generator = null)
    {
        hidden ??= new[] { 128, 64 };
        var net = new Sequential(new Flatten());
        int width = inputs;
        foreach (int h in hidden)
        {
            net.Add(new Linear(width, h, generator: generator));
            net.Add(new ReLU());
            if (dropout > 0) net.Add(new Dropout(dropout, generator));
            width = h;
        }
        net.Add(new Linear(width, classes, generator: generator));
        return net;
    }
}
