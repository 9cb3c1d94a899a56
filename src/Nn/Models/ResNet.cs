using NetFromScratch.Autograd;
using NetFromScratch.Nn.Init;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Models;

/// <summary>
/// ResNet-18/34/50 (He et al., 2015) laid out exactly as torchvision's: <c>conv1</c> (7x7, stride 2), <c>bn1</c>,
/// <c>relu</c>, <c>maxpool</c> (3x3, stride 2), <c>layer1..layer4</c> of residual blocks, <c>avgpool</c>, <c>fc</c>.
/// ResNet-50 has 25,557,032 parameters for 1000 classes.
/// Shape: <c>[N, 3, H, W]</c> -&gt; <c>[N, classes]</c>.
/// Initialisation (torchvision's): convolutions Kaiming normal (fan-out, ReLU), BatchNorm 1 and 0, fc PyTorch's Linear default.
/// </summary>
public sealed class ResNet : Module
{
    /// <summary>Builds ResNet-<paramref name="depth"/> (18, 34 or 50).</summary>
    public ResNet(int depth, int classes = 1000, Generator? generator = null)
    {
        (bool bottleneck, int[] blocks) = depth switch
        {
            18 => (false, new[] { 2, 2, 2, 2 }),
            34 => (false, new[] { 3, 4, 6, 3 }),
            50 => (true, new[] { 3, 4, 6, 3 }),
            _ => throw new ArgumentException($"ResNet: depth must be 18, 34 or 50, got {depth}."),
        };
        Depth = depth;
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        Conv1 = RegisterModule("conv1", new Conv2d(3, 64, 7, 2, 3, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        Relu = RegisterModule("relu", new ReLU());
        MaxPool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        int inPlanes = 64;
        var layers = new Sequential[4];
        for (int i = 0; i < 4; i++)
        {
            int planes = 64 << i;
            var layer = new Sequential();
            for (int b = 0; b < blocks[i]; b++)
            {
                int stride = b == 0 && i > 0 ? 2 : 1;
                layer.Add(bottleneck ? new Bottleneck(inPlanes, planes, stride, generator) : new BasicBlock(inPlanes, planes, stride, generator));
                inPlanes = planes * expansion;
            }
            layers[i] = RegisterModule($"layer{i + 1}", layer);
        }
        Layers = layers;
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        Fc = RegisterModule("fc", new Linear(512 * expansion, classes, generator: generator));
        foreach (var (_, m) in NamedModules())
            if (m is Conv2d conv)
                Initializers.KaimingNormal(conv.Weight.Data, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: generator);
    }

    /// <summary>18, 34 or 50.</summary>
    public int Depth { get; }
    /// <summary>The 7x7 stem convolution.</summary>
    public Conv2d Conv1 { get; }
    /// <summary>The stem's BatchNorm.</summary>
    public BatchNorm2d Bn1 { get; }
    /// <summary>The stem's activation.</summary>
    public ReLU Relu { get; }
    /// <summary>The stem's 3x3 max pool.</summary>
    public MaxPool2d MaxPool { get; }
    /// <summary>layer1..layer4.</summary>
    public IReadOnlyList<Sequential> Layers { get; }
    /// <summary>Global average pooling.</summary>
    public AdaptiveAvgPool2d AvgPool { get; }
    /// <summary>The classifier head (replace it for a new task).</summary>
    public Module Fc { get; private set; }

    /// <inheritdoc/>
    protected override void OnChildReplaced(string name, Module module)
    {
        if (name == "fc") Fc = module;
    }

    /// <summary>Runs everything up to and including the average pool. Shape: <c>[N, 3, H, W]</c> -&gt; <c>[N, 512*expansion]</c>.</summary>
    public Variable ForwardFeatures(Variable input)
    {
        if (input.Rank != 4 || input.Shape[1] != 3)
            throw ShapeErrorsPublic.Wrong($"ResNet-{Depth}", "[N, 3, H, W]", input.Shape);
        var x = MaxPool.Forward(Relu.Forward(Bn1.Forward(Conv1.Forward(input))));
        foreach (var layer in Layers) x = layer.Forward(x);
        return AvgPool.Forward(x).Flatten(1);
    }

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) => Fc.Forward(ForwardFeatures(input));
}
