using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// How a model splits for fine-tuning: its <see cref="Blocks"/> from the input to the head (the last block), the path
/// of the head module, and a function that runs everything before the head (what a feature cache stores).
/// <see cref="Of"/> knows the built models and the generic shapes:
/// <list type="bullet">
/// <item><see cref="ResNet"/>: <c>stem</c> (conv1, bn1), <c>layer1</c> .. <c>layer4</c>, head <c>fc</c>.</item>
/// <item><see cref="Vgg"/>: <c>block1</c> .. <c>block5</c> (the convolutions between max pools), <c>classifier</c>
/// (the pretrained fully connected layers before the last), head <c>classifier.6</c>; or, when the head path is
/// <c>classifier</c>, the whole classifier is the head.</item>
/// <item><see cref="BackboneWithHead"/> (an imported graph with a new head): one block per top-level name of the
/// backbone, in order, then <c>head</c>.</item>
/// <item><see cref="Sequential"/>: blocks end at each pooling or flattening layer (<c>block1</c>, ...), and the last
/// layer with parameters is the head.</item>
/// <item>Any other module: one block per direct child with parameters; the last is the head; features are not
/// available (no caching).</item>
/// </list>
/// Every parameter belongs to exactly one block.
/// </summary>
public sealed class BackboneLayout
{
    // More top-level names than this in a backbone are grouped into consecutive parts.
    private const int MaxNamedBlocks = 8;

    private readonly Func<Variable, Variable>? _features;
    private readonly Func<Module>? _headForTraining;

    /// <summary>Describes a split made by hand.</summary>
    /// <param name="model">The whole network.</param>
    /// <param name="architecture">A short name for messages (<c>ResNet-18</c>).</param>
    /// <param name="blocks">The blocks in forward order; the last is the head.</param>
    /// <param name="headPath">The dotted path of the head module inside <paramref name="model"/>.</param>
    /// <param name="features">Runs the model up to the head's input, or null when the split cannot be run in parts.</param>
    /// <param name="headForTraining">The module that maps features to outputs (the head and anything after it), or null for the head module itself.</param>
    /// <exception cref="ArgumentException">A parameter is in no block or in two, a block is empty, or there are no blocks.</exception>
    public BackboneLayout(Module model, string architecture, IReadOnlyList<BackboneBlock> blocks, string headPath,
        Func<Variable, Variable>? features, Func<Module>? headForTraining = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0) throw new ArgumentException($"BackboneLayout({architecture}): the model has no parameters to fine-tune.");
        Model = model;
        Architecture = architecture;
        Blocks = blocks.ToArray();
        HeadPath = headPath;
        _features = features;
        _headForTraining = headForTraining;
        var counts = new int[Blocks.Count];
        foreach (var (name, _) in model.NamedParameters())
        {
            int owners = 0;
            for (int b = 0; b < Blocks.Count; b++)
                if (Blocks[b].Contains(name)) { owners++; counts[b]++; }
            if (owners != 1)
                throw new ArgumentException($"BackboneLayout({architecture}): parameter '{name}' belongs to {owners} blocks (blocks: {string.Join(", ", Blocks.Select(b => b.Name))}).");
        }
        for (int b = 0; b < Blocks.Count; b++)
            if (counts[b] == 0) throw new ArgumentException($"BackboneLayout({architecture}): block '{Blocks[b].Name}' has no parameters.");
    }

    /// <summary>The whole network.</summary>
    public Module Model { get; }

    /// <summary>A short name for messages, e.g. <c>ResNet-18</c>.</summary>
    public string Architecture { get; }

    /// <summary>The blocks from the input to the head; the last one is the head.</summary>
    public IReadOnlyList<BackboneBlock> Blocks { get; }

    /// <summary>The head block (the last of <see cref="Blocks"/>).</summary>
    public BackboneBlock HeadBlock => Blocks[^1];

    /// <summary>The dotted path of the head module (<c>fc</c>, <c>classifier.6</c>, <c>head</c>).</summary>
    public string HeadPath { get; }

    /// <summary>The head module.</summary>
    public Module Head => Model.GetSubmodule(HeadPath);

    /// <summary>Whether <see cref="ForwardFeatures"/> can run (the model can be split at the head's input).</summary>
    public bool HasFeatures => _features is not null;

    /// <summary>
    /// Runs the model up to the head's input. Shape: the model's input -&gt; the head's input (<c>[N, 512]</c> for ResNet-18).
    /// </summary>
    /// <exception cref="InvalidOperationException">The layout cannot run the model in parts.</exception>
    public Variable ForwardFeatures(Variable input) =>
        _features is null ? throw new InvalidOperationException($"BackboneLayout({Architecture}): this model cannot be split before its head, so its features cannot be computed separately.")
        : _features(input);

    /// <summary>The module that maps features to the model's output: the head, plus any parameter-free layers after it.</summary>
    public Module HeadForTraining => _headForTraining?.Invoke() ?? Head;

    /// <summary>The parameters of <paramref name="block"/>, with their names, in model order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> ParametersOf(BackboneBlock block) =>
        Model.NamedParameters().Where(p => block.Contains(p.Name)).ToArray();

    /// <summary>The block called <paramref name="name"/> (case-insensitive), or null.</summary>
    public BackboneBlock? Find(string name) => Blocks.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The layout of <paramref name="model"/> (see the class remarks). <paramref name="headPath"/> picks the head when a
    /// model allows more than one (VGG: <c>classifier.6</c>, the default, or <c>classifier</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The head path does not fit the model.</exception>
    public static BackboneLayout Of(Module model, string? headPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            ResNet r => OfResNet(r, headPath),
            Vgg v => OfVgg(v, headPath),
            BackboneWithHead b => OfBackboneWithHead(b, headPath),
            Sequential s => OfSequential(s, headPath),
            _ => OfChildren(model, headPath),
        };
    }

    private static BackboneLayout OfResNet(ResNet r, string? headPath)
    {
        if (headPath is not null and not "fc")
            throw new ArgumentException($"BackboneLayout(ResNet-{r.Depth}): the head is 'fc', not '{headPath}'.");
        var blocks = new List<BackboneBlock> { new("stem", ["conv1", "bn1"]) };
        for (int i = 1; i <= r.Layers.Count; i++) blocks.Add(new($"layer{i}", [$"layer{i}"]));
        blocks.Add(new("fc", ["fc"]));
        return new BackboneLayout(r, $"ResNet-{r.Depth}", blocks, "fc", r.ForwardFeatures);
    }

    private static BackboneLayout OfVgg(Vgg v, string? headPath)
    {
        var blocks = SplitAtPools(v.Features, "features.");
        int last = v.Classifier.Count - 1;
        while (last >= 0 && !v.Classifier[last].Parameters().Any()) last--;
        string defaultHead = $"classifier.{last.ToString(CultureInfo.InvariantCulture)}";
        headPath ??= last > 0 ? defaultHead : "classifier";
        string name = $"VGG-{v.Depth}{(v.BatchNormUsed ? "-BN" : "")}";
        if (headPath == "classifier")
        {
            blocks.Add(new("classifier", ["classifier"]));
            return new BackboneLayout(v, name, blocks, "classifier", x => v.AvgPool.Forward(v.Features.Forward(x)).Flatten(1));
        }
        if (headPath != defaultHead)
            throw new ArgumentException($"BackboneLayout({name}): the head is '{defaultHead}' or the whole 'classifier', not '{headPath}'.");
        var before = Enumerable.Range(0, last).Where(i => v.Classifier[i].Parameters().Any()).Select(i => $"classifier.{i.ToString(CultureInfo.InvariantCulture)}").ToArray();
        if (before.Length > 0) blocks.Add(new("classifier", before));
        blocks.Add(new(headPath, [headPath]));
        return new BackboneLayout(v, name, blocks, headPath, x =>
        {
            var h = v.AvgPool.Forward(v.Features.Forward(x)).Flatten(1);
            for (int i = 0; i < last; i++) h = v.Classifier[i].Forward(h);
            return h;
        }, () => last == v.Classifier.Count - 1 ? v.Classifier[last] : new Sequential(v.Classifier.Layers.Skip(last).ToArray()));
    }

    private static BackboneLayout OfBackboneWithHead(BackboneWithHead model, string? headPath)
    {
        if (headPath is not null and not "head")
            throw new ArgumentException($"BackboneLayout(backbone with head): the head is 'head', not '{headPath}'.");
        var tops = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in model.Backbone.NamedParameters())
        {
            string top = name.Split('.')[0];
            if (seen.Add(top)) tops.Add(top);
        }
        var blocks = new List<BackboneBlock>();
        if (tops.Count <= MaxNamedBlocks)
            blocks.AddRange(tops.Select(t => new BackboneBlock(t, ["backbone." + t])));
        else
        {
            // Anonymous names (an export that folded BatchNorm into convolutions names weights onnx::Conv_193, ...) give
            // one top-level name per tensor; consecutive runs of them make blocks of a useful size instead.
            int parts = MaxNamedBlocks - 2;
            for (int k = 0; k < parts; k++)
            {
                int from = k * tops.Count / parts, to = (k + 1) * tops.Count / parts;
                blocks.Add(new($"part{(k + 1).ToString(CultureInfo.InvariantCulture)}", tops.Skip(from).Take(to - from).Select(t => "backbone." + t).ToArray()));
            }
        }
        blocks.Add(new("head", ["head"]));
        return new BackboneLayout(model, $"{model.Backbone.GetType().Name} with a head", blocks, "head", model.ForwardFeatures);
    }

    private static BackboneLayout OfSequential(Sequential s, string? headPath)
    {
        int head = s.Count - 1;
        while (head >= 0 && !s[head].Parameters().Any()) head--;
        if (head < 0) throw new ArgumentException("BackboneLayout(Sequential): the model has no parameters to fine-tune.");
        string defaultHead = head.ToString(CultureInfo.InvariantCulture);
        if (headPath is not null && headPath != defaultHead)
            throw new ArgumentException($"BackboneLayout(Sequential): the head is the last layer with parameters, '{defaultHead}', not '{headPath}'.");
        var blocks = SplitAtPools(s, "", upTo: head);
        blocks.Add(new("head", [defaultHead]));
        return new BackboneLayout(s, "Sequential", blocks, defaultHead, x =>
        {
            for (int i = 0; i < head; i++) x = s[i].Forward(x);
            return x;
        }, () => head == s.Count - 1 ? s[head] : new Sequential(s.Layers.Skip(head).ToArray()));
    }

    private static BackboneLayout OfChildren(Module model, string? headPath)
    {
        var withParameters = model.NamedChildren().Where(c => c.Module.Parameters().Any()).Select(c => c.Name).ToList();
        var blocks = withParameters.Select(n => new BackboneBlock(n, [n])).ToList();
        if (blocks.Count == 0) throw new ArgumentException($"BackboneLayout({model.GetType().Name}): the model has no submodules with parameters.");
        if (headPath is not null && headPath != blocks[^1].Name)
            throw new ArgumentException($"BackboneLayout({model.GetType().Name}): the head is its last child with parameters, '{blocks[^1].Name}', not '{headPath}'.");
        var own = model.NamedParameters().Where(p => !p.Name.Contains('.')).Select(p => p.Name).ToArray();
        if (own.Length > 0) blocks.Insert(0, new BackboneBlock("(own)", own));
        return new BackboneLayout(model, model.GetType().Name, blocks, blocks[^1].Name, features: null);
    }

    /// <summary>Groups the children of <paramref name="chain"/> before <paramref name="upTo"/> into blocks that end at each pooling or flattening layer.</summary>
    private static List<BackboneBlock> SplitAtPools(Sequential chain, string prefix, int upTo = int.MaxValue)
    {
        var blocks = new List<BackboneBlock>();
        var current = new List<string>();
        int end = Math.Min(upTo, chain.Count);
        for (int i = 0; i < end; i++)
        {
            var layer = chain[i];
            if (layer.Parameters().Any()) current.Add(prefix + i.ToString(CultureInfo.InvariantCulture));
            bool boundary = layer is MaxPool2d or AvgPool2d or AdaptiveAvgPool2d or Flatten;
            if ((boundary || i == end - 1) && current.Count > 0)
            {
                blocks.Add(new($"block{(blocks.Count + 1).ToString(CultureInfo.InvariantCulture)}", current.ToArray()));
                current.Clear();
            }
        }
        return blocks;
    }
}
