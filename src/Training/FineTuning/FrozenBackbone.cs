using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// A snapshot of a backbone compiled for inference, which is all a frozen backbone ever does: each BatchNorm is folded
/// into the convolution before it (<c>W' = W * g / sqrt(var + eps)</c>, <c>b' = (b - mean) * g / sqrt(var + eps) + beta</c>,
/// one pass instead of five), ReLU runs in place, and every intermediate goes back to the buffer pool as soon as the
/// next layer has read it. It computes what <see cref="BackboneLayout.ForwardFeatures"/> computes in evaluation mode
/// (to rounding), for ResNet, VGG and Sequential layouts; layers it does not fold run as modules.
/// </summary>
/// <remarks>
/// The weights are copied when compiling: compile again after they change (a frozen backbone's never do).
/// </remarks>
public sealed class FrozenBackbone
{
    private readonly Stage[] _stages;

    private FrozenBackbone(Stage[] stages, string architecture)
    {
        _stages = stages;
        Architecture = architecture;
    }

    /// <summary>What was compiled, e.g. <c>ResNet-18</c>.</summary>
    public string Architecture { get; }

    /// <summary>BatchNorm layers folded into convolutions.</summary>
    public int FoldedBatchNorms { get; private init; }

    /// <summary>
    /// Compiles the part of <paramref name="layout"/>'s model before its head, or returns null for a model it does not
    /// know (an imported graph, a hand-made module).
    /// </summary>
    public static FrozenBackbone? TryCompile(BackboneLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var builder = new Builder();
        switch (layout.Model)
        {
            case ResNet r:
                builder.Chain([r.Conv1, r.Bn1, r.Relu, r.MaxPool]);
                foreach (var layer in r.Layers)
                    foreach (var block in layer.Layers)
                        if (!builder.Residual(block)) return null;
                builder.Add(new GlobalAverage());
                break;
            case Vgg v:
                builder.Chain(v.Features.Layers);
                builder.Add(new ModuleStage(v.AvgPool));
                builder.Add(new Flattening());
                if (layout.HeadPath != "classifier")
                {
                    int head = int.Parse(layout.HeadPath["classifier.".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    builder.Chain(v.Classifier.Layers.Take(head).ToArray());
                }
                break;
            case Sequential s:
                builder.Chain(s.Layers.Take(int.Parse(layout.HeadPath, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
                break;
            case BackboneWithHead { Backbone: Sequential s }:
                builder.Chain(s.Layers);
                builder.Add(new Flattening());
                break;
            default:
                return null;
        }
        return new FrozenBackbone(builder.Stages.ToArray(), layout.Architecture) { FoldedBatchNorms = builder.Folded };
    }

    /// <summary>
    /// Runs the compiled backbone on <paramref name="input"/> (which is not disposed), without recording gradients.
    /// Shape: the model's input -&gt; the head's input.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NoGrad.Scope();
        var x = input.Reshape(input.Shape.ToArray()); // a second owner, so the first stage may dispose what it reads
        foreach (var stage in _stages) x = stage.Run(x);
        return x;
    }

    /// <summary>
    /// A module that trains <paramref name="head"/> on this backbone's output: what a trainer runs while the backbone
    /// is frozen and features cannot be cached (random augmentation). Its parameters are the head's.
    /// Shape: the model's input -&gt; the head's output.
    /// </summary>
    public Module WithHead(Module head) => new CompiledHead(this, head);

    private sealed class CompiledHead : Module
    {
        private readonly FrozenBackbone _backbone;
        private readonly Module _head;

        public CompiledHead(FrozenBackbone backbone, Module head)
        {
            _backbone = backbone;
            _head = RegisterModule("head", head);
        }

        protected override Variable ForwardCore(Variable input) => _head.Forward(new Variable(_backbone.Forward(input.Data)));
    }

    // ---- stages: each takes ownership of its input (disposing it when done) and returns a new tensor ------------

    private abstract class Stage
    {
        public abstract Tensor Run(Tensor x);
    }

    /// <summary>A convolution with any BatchNorm after it folded in, and optionally the ReLU after that.</summary>
    private sealed class FoldedConv(Tensor weight, Tensor? bias, Conv2dParams geometry) : Stage
    {
        public bool Relu { get; set; }

        public Tensor Apply(Tensor x)
        {
            var y = Tensor.Conv2d(x, weight, bias, geometry);
            if (Relu) y.ApplyInPlace(UnaryOp.Relu);
            return y;
        }

        public override Tensor Run(Tensor x)
        {
            var y = Apply(x);
            x.Dispose();
            return y;
        }

        public static FoldedConv Of(Conv2d conv, BatchNorm? bn)
        {
            if (bn is null) return new FoldedConv(conv.Weight.Data.Clone(), conv.Bias?.Data.Clone(), conv.Geometry);
            var w = conv.Weight.Data.ToArray();
            int outputs = conv.OutChannels, per = w.Length / outputs;
            var mean = bn.RunningMean!.Data.ToArray();
            var variance = bn.RunningVar!.Data.ToArray();
            var gamma = bn.Weight?.Data.ToArray();
            var beta = bn.Bias?.Data.ToArray();
            var b = conv.Bias?.Data.ToArray();
            var folded = new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                double scale = (gamma?[o] ?? 1f) / Math.Sqrt(variance[o] + (double)bn.Eps);
                for (int i = 0; i < per; i++) w[o * per + i] = (float)(w[o * per + i] * scale);
                folded[o] = (float)(((b?[o] ?? 0f) - mean[o]) * scale + (beta?[o] ?? 0f));
            }
            var device = conv.Weight.Data.Device;
            return new FoldedConv(Tensor.FromArray(w, conv.Weight.Shape, device), Tensor.FromArray(folded, new Shape(outputs), device), conv.Geometry);
        }
    }

    /// <summary>A residual block: the main path's convolutions, plus the shortcut (a folded 1x1 convolution or the input), then ReLU.</summary>
    private sealed class ResidualStage(FoldedConv[] path, FoldedConv? shortcut) : Stage
    {
        public override Tensor Run(Tensor x)
        {
            var identity = shortcut?.Apply(x);
            var h = path[0].Apply(x);
            for (int i = 1; i < path.Length; i++) h = path[i].Run(h);
            h.AddInPlace(identity ?? x);
            h.ApplyInPlace(UnaryOp.Relu);
            identity?.Dispose();
            x.Dispose();
            return h;
        }
    }

    private sealed class MaxPoolStage(Pool2dParams geometry) : Stage
    {
        public override Tensor Run(Tensor x)
        {
            var (y, indices) = x.MaxPool2d(geometry);
            indices.Dispose();
            x.Dispose();
            return y;
        }
    }

    private sealed class GlobalAverage : Stage
    {
        public override Tensor Run(Tensor x)
        {
            var y = x.Mean([2, 3]);
            x.Dispose();
            return y;
        }
    }

    private sealed class Flattening : Stage
    {
        public override Tensor Run(Tensor x)
        {
            if (x.Rank <= 2) return x;
            var y = x.Flatten(1);
            x.Dispose();
            return y;
        }
    }

    /// <summary>Any other layer, run as a module in evaluation mode (dropout off, BatchNorm on running statistics).</summary>
    private sealed class ModuleStage(Module module) : Stage
    {
        public override Tensor Run(Tensor x)
        {
            bool training = module.IsTraining;
            module.Eval();
            var y = module.Forward(new Variable(x)).Data;
            module.Train(training);
            if (!ReferenceEquals(y, x)) x.Dispose();
            return y;
        }
    }

    private sealed class Builder
    {
        public List<Stage> Stages { get; } = new();

        public int Folded { get; private set; }

        public void Add(Stage stage) => Stages.Add(stage);

        /// <summary>Compiles a chain of layers: Conv2d [+ BatchNorm] [+ ReLU] folded, max pools, and other layers as modules.</summary>
        public void Chain(IReadOnlyList<Module> layers)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                switch (layers[i])
                {
                    case Conv2d conv:
                        var bn = i + 1 < layers.Count && layers[i + 1] is BatchNorm { RunningMean: not null } b ? b : null;
                        if (bn is not null) { i++; Folded++; }
                        var folded = FoldedConv.Of(conv, bn);
                        if (i + 1 < layers.Count && layers[i + 1] is ReLU) { folded.Relu = true; i++; }
                        Stages.Add(folded);
                        break;
                    case ReLU:
                        Stages.Add(new ModuleStage(layers[i]));
                        break;
                    case MaxPool2d pool:
                        Stages.Add(new MaxPoolStage(pool.Geometry));
                        break;
                    case Dropout or Identity:
                        break;
                    default:
                        Stages.Add(new ModuleStage(layers[i]));
                        break;
                }
            }
        }

        /// <summary>Compiles a ResNet block; false for a block of another kind.</summary>
        public bool Residual(Module block)
        {
            FoldedConv[] path;
            Sequential? downsample;
            switch (block)
            {
                case BasicBlock b:
                    path = [FoldedConv.Of(b.Conv1, b.Bn1), FoldedConv.Of(b.Conv2, b.Bn2)];
                    downsample = b.Downsample;
                    break;
                case Bottleneck b:
                    path = [FoldedConv.Of(b.Conv1, b.Bn1), FoldedConv.Of(b.Conv2, b.Bn2), FoldedConv.Of(b.Conv3, b.Bn3)];
                    downsample = b.Downsample;
                    break;
                default:
                    return false;
            }
            for (int i = 0; i < path.Length - 1; i++) path[i].Relu = true;
            Folded += path.Length;
            FoldedConv? shortcut = null;
            if (downsample is not null)
            {
                shortcut = FoldedConv.Of((Conv2d)downsample[0], downsample.Count > 1 ? downsample[1] as BatchNorm : null);
                if (downsample.Count > 1) Folded++;
            }
            Stages.Add(new ResidualStage(path, shortcut));
            return true;
        }
    }
}
