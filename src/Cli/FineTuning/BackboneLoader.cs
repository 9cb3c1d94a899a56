using System.Globalization;
using System.Text.RegularExpressions;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;
using NetFromScratch.Training.FineTuning;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// Where <c>nfs finetune</c> and <c>nfs compare</c> get their networks: the one place that knows the ONNX importer.
/// <list type="bullet">
/// <item>A builder name (<c>resnet18</c>, <c>resnet34</c>, <c>resnet50</c>, <c>vgg11</c> .. <c>vgg19</c>, <c>vgg16_bn</c>, ...):
/// our model with random weights, optionally loaded from a safetensors state dict.</item>
/// <item>An <c>.onnx</c> file whose weights carry torchvision's names (an export of a torchvision ResNet or VGG without
/// BatchNorm folding): the matching built model with those weights, so it splits into stem, layer1..4 and fc.</item>
/// <item>Any other <c>.onnx</c> classifier: the graph cut just before its last fully connected layer (Gemm, or MatMul
/// with an optional Add) becomes the backbone of a <see cref="BackboneWithHead"/>, and that layer's weights become the
/// head, so the original classes are kept until the head is replaced.</item>
/// </list>
/// </summary>
public static partial class BackboneLoader
{
    /// <summary>The builder names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> BuilderNames { get; } =
        ["resnet18", "resnet34", "resnet50", "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn"];

    /// <summary>
    /// Loads <paramref name="backbone"/>: an <c>.onnx</c> file or a builder name (then <paramref name="weights"/>, a
    /// safetensors file, may give its weights). <paramref name="classes"/> sizes a built model's head before weights load
    /// (null: 1000, torchvision's ImageNet head, or whatever a weights file says).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown builder name, or weights for an ONNX backbone.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static LoadedBackbone Load(string backbone, string? weights = null, int? classes = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (backbone.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            if (weights is not null) throw new ArgumentException("finetune: --weights goes with a builder name; an ONNX file carries its own weights.");
            if (!File.Exists(backbone)) throw new FileNotFoundException($"finetune: the backbone file '{backbone}' does not exist.", backbone);
            return FromOnnx(OnnxModel.Load(backbone), Path.GetFileName(backbone));
        }
        string name = backbone.ToLowerInvariant();
        if (!BuilderNames.Contains(name))
            throw new ArgumentException($"finetune: '{backbone}' is neither an .onnx file nor a model name ({string.Join(", ", BuilderNames)}).");
        int? fileClasses = weights is null ? null : ClassesInStateDict(weights);
        int headClasses = fileClasses ?? classes ?? 1000;
        var model = Build(name, headClasses, generator);
        if (weights is null)
            return new LoadedBackbone(model, false, $"{Describe(model)} with random weights", headClasses, []);
        var result = model.Load(weights, strict: true);
        return new LoadedBackbone(model, true, $"{Describe(model)} with weights from {Path.GetFileName(weights)}", headClasses,
            result.IsExact ? [] : [result.ToString()]);
    }

    /// <summary>Builds <paramref name="name"/> (one of <see cref="BuilderNames"/>) with random weights.</summary>
    public static Module Build(string name, int classes, Generator? generator = null)
    {
        var m = BuilderPattern().Match(name.ToLowerInvariant());
        if (!m.Success) throw new ArgumentException($"'{name}' is not a model name ({string.Join(", ", BuilderNames)}).");
        int depth = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return m.Groups[1].Value == "resnet"
            ? new ResNet(depth, classes, generator)
            : new Vgg(depth, batchNorm: m.Groups[3].Success, classes: classes, generator: generator);
    }

    /// <summary>
    /// Makes a fine-tunable network from an ONNX model (see the class remarks). The model is not changed.
    /// </summary>
    /// <exception cref="OnnxGraphException">The graph cannot be imported, or has no fully connected layer to cut at.</exception>
    public static LoadedBackbone FromOnnx(OnnxModel model, string label)
    {
        ArgumentNullException.ThrowIfNull(model);
        var notes = new List<string>();
        if (TorchvisionLayout(model) is { } guess)
        {
            var built = Build(guess.Name, guess.Classes);
            try
            {
                OnnxImporter.LoadInto(built, model, strict: true);
                return new LoadedBackbone(built, true, $"{Describe(built)} (torchvision layout) from {label}", guess.Classes, notes);
            }
            catch (OnnxGraphException e)
            {
                notes.Add($"the weights look like torchvision's {guess.Name} but do not match it exactly ({e.Message}); importing the graph instead.");
            }
        }
        var cut = OnnxHeadCut.Cut(model);
        var backbone = OnnxImporter.Load(cut.Backbone);
        var head = new Linear(cut.HeadWeight.Shape[1], cut.HeadWeight.Shape[0], bias: true);
        head.Weight.Data.CopyFrom(cut.HeadWeight);
        if (cut.HeadBias is not null) head.Bias!.Data.CopyFrom(cut.HeadBias);
        else head.Bias!.Data.FillInPlace(0f);
        var joined = new BackboneWithHead(backbone, head);
        return new LoadedBackbone(joined, true,
            $"imported ONNX graph from {label} ({backbone.CompiledNodeCount} nodes), cut before its last fully connected layer '{cut.HeadNode}' ({head.InFeatures} -> {head.OutFeatures})",
            head.OutFeatures, notes);
    }

    /// <summary>Which torchvision model an ONNX file's weight names describe, if any, and its class count.</summary>
    private static (string Name, int Classes)? TorchvisionLayout(OnnxModel model)
    {
        var shapes = model.Graph.Initializers.ToDictionary(t => t.Name, t => t.Dims.ToArray(), StringComparer.Ordinal);
        if (shapes.TryGetValue("fc.weight", out var fc) && fc.Length == 2 && shapes.ContainsKey("layer4.0.conv1.weight"))
        {
            bool bottleneck = shapes.ContainsKey("layer1.0.conv3.weight");
            bool deep = shapes.ContainsKey("layer3.5.conv1.weight");
            string name = bottleneck ? "resnet50" : deep ? "resnet34" : "resnet18";
            return (name, (int)fc[0]);
        }
        if (shapes.TryGetValue("classifier.6.weight", out var cls) && cls.Length == 2 && shapes.ContainsKey("features.0.weight"))
        {
            int convs = shapes.Count(kv => kv.Key.StartsWith("features.", StringComparison.Ordinal) && kv.Key.EndsWith(".weight", StringComparison.Ordinal) && kv.Value.Length == 4);
            int depth = convs switch { 8 => 11, 10 => 13, 13 => 16, 16 => 19, _ => 0 };
            if (depth == 0) return null;
            bool bn = shapes.ContainsKey("features.1.running_mean");
            return ($"vgg{depth}{(bn ? "_bn" : "")}", (int)cls[0]);
        }
        return null;
    }

    private static int? ClassesInStateDict(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"finetune: the weights file '{path}' does not exist.", path);
        var file = NetFromScratch.Tensors.Serialization.SafeTensors.Load(path);
        foreach (var (name, t) in file.Tensors)
            if ((name == "fc.weight" || name == "classifier.6.weight") && t.Rank == 2) return t.Shape[0];
        return null;
    }

    /// <summary>A short name of a built model (<c>ResNet-18</c>, <c>VGG-16-BN</c>).</summary>
    public static string Describe(Module model) => model switch
    {
        ResNet r => $"ResNet-{r.Depth}",
        Vgg v => $"VGG-{v.Depth}{(v.BatchNormUsed ? "-BN" : "")}",
        _ => model.GetType().Name,
    };

    [GeneratedRegex(@"^(resnet|vgg)(\d+)(_bn)?$")]
    private static partial Regex BuilderPattern();
}
