using NetFromScratch.Autograd;
using NetFromScratch.Nn.Init;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>
/// VGG-11/13/16/19 (Simonyan and Zisserman, 2014), with or without BatchNorm, laid out exactly as torchvision's so that
/// its weights load by name: <c>features.{i}</c> (3x3 convolutions with padding 1, [BatchNorm], ReLU, and 2x2 max pools),
/// <c>avgpool</c> (adaptive, 7x7), <c>classifier.{0,3,6}</c> (Linear 25088 -&gt; 4096 -&gt; 4096 -&gt; classes with ReLU and Dropout).
/// VGG-16 has 138,357,544 parameters for 1000 classes.
/// Shape: <c>[N, 3, H, W]</c> (H, W &gt;= 32) -&gt; <c>[N, classes]</c>.
/// Initialisation (torchvision's): convolutions Kaiming normal (fan-out, ReLU) with zero bias, BatchNorm 1 and 0,
/// linear layers normal(0, 0.01) with zero bias.
/// </summary>
public sealed class Vgg : Module
{
    private static readonly Dictionary<int, int[]> Configs = new()
    {
        [11] = new[] { 64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0 },
        [13] = new[] { 64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0 },
        [16] = new[] { 64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0 },
        [19] = new[] { 64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0 },
    };

    /// <summary>Builds VGG-<paramref name="depth"/> (11, 13, 16 or 19); a 0 in the config is a max pool.</summary>
    public Vgg(int depth, bool batchNorm = false, int classes = 1000, float dropout = 0.5f, Generator? generator = null)
    {
        if (!Configs.TryGetValue(depth, out var config))
            throw new ArgumentException($"Vgg: depth must be 11, 13, 16 or 19, got {depth}.");
        Depth = depth;
        BatchNormUsed = batchNorm;
        Features = RegisterModule("features", new Sequential());
        int c = 3;
        foreach (int v in config)
        {
            if (v == 0) { Features.Add(new MaxPool2d(2, 2)); continue; }
            Features.Add(new Conv2d(c, v, 3, padding: 1, generator: generator));
            if (batchNorm) Features.Add(new BatchNorm2d(v));
            Features.Add(new ReLU());
            c = v;
        }
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(7));
        Classifier = RegisterModule("classifier", new Sequential(
            new Linear(512 * 7 * 7, 4096, generator: generator), new ReLU(), new Dropout(dropout, generator),
            new Linear(4096, 4096, generator: generator), new ReLU(), new Dropout(dropout, generator),
            new Linear(4096, classes, generator: generator)));
        Initialize(generator);
    }

    /// <summary>11, 13, 16 or 19.</summary>
    public int Depth { get; }

    /// <summary>Whether each convolution is followed by BatchNorm.</summary>
    public bool BatchNormUsed { get; }

    /// <summary>The convolutional backbone.</summary>
    public Sequential Features { get; }

    /// <summary>Adaptive average pooling to 7x7.</summary>
    public AdaptiveAvgPool2d AvgPool { get; }

    /// <summary>The head; <c>Classifier[6]</c> is the last Linear (replace it for a new task).</summary>
    public Sequential Classifier { get; private set; }

    /// <inheritdoc/>
    protected override void OnChildReplaced(string name, Module module)
    {
        if (name == "classifier") Classifier = (Sequential)module;
    }

    private void Initialize(Generator? generator)
    {
        Apply(m =>
        {
            switch (m)
            {
                case Conv2d conv:
                    Initializers.KaimingNormal(conv.Weight.Data, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: generator);
                    if (conv.Bias is not null) Initializers.Zeros(conv.Bias.Data);
                    break;
                case Linear linear:
                    Initializers.Normal(linear.Weight.Data, 0f, 0.01f, generator);
                    if (linear.Bias is not null) Initializers.Zeros(linear.Bias.Data);
                    break;
            }
        });
    }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank != 4 || input.Shape[1] != 3)
            throw ShapeErrorsPublic.Wrong($"VGG-{Depth}", "[N, 3, H, W]", input.Shape);
        var x = Features.Forward(input);
        x = AvgPool.Forward(x).Flatten(1);
        return Classifier.Forward(x);
    }
}
