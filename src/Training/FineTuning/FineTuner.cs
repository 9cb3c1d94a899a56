using System.Globalization;
using System.Text;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Prepares a pretrained network for a new task: replaces its head (<see cref="ReplaceHead(int, int, float, Generator?)"/>),
/// freezes it up to a block or a parameter-name prefix (<see cref="FreezeUntil"/>), unfreezes it again one block at a
/// time from the head down (<see cref="UnfreezeNext"/>, driven by <see cref="GradualUnfreezing"/>), and makes one
/// optimizer group per block with learning rates that shrink with the distance from the head
/// (<see cref="ParameterGroups"/>: discriminative learning rates, Howard and Ruder, 2018).
/// </summary>
/// <remarks>
/// Frozen parameters have <c>RequiresGrad == false</c>: backward computes nothing for them, optimizers skip them, and
/// a <see cref="BatchNorm"/> layer whose affine parameters are frozen keeps normalising with its running statistics
/// even in training mode, so a frozen backbone's statistics are never disturbed.
/// </remarks>
public sealed class FineTuner
{
    /// <summary>Takes <paramref name="model"/> with its layout (<see cref="BackboneLayout.Of"/>); nothing is changed yet.</summary>
    public FineTuner(Module model, string? headPath = null) : this(BackboneLayout.Of(model, headPath)) { }

    /// <summary>Takes a model with a layout made by hand.</summary>
    public FineTuner(BackboneLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
    }

    /// <summary>The current split of the model (it changes when the head is replaced).</summary>
    public BackboneLayout Layout { get; private set; }

    /// <summary>The network.</summary>
    public Module Model => Layout.Model;

    /// <summary>The blocks, from the input to the head.</summary>
    public IReadOnlyList<BackboneBlock> Blocks => Layout.Blocks;

    // ---- the head ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Replaces the classifier with a new, randomly initialised one for <paramref name="classes"/> classes: a
    /// <see cref="Linear"/> from the old head's input features, or with <paramref name="hidden"/> &gt; 0 a small MLP
    /// (Linear, ReLU, Dropout when <paramref name="dropout"/> &gt; 0, Linear). For VGG a hidden head replaces the whole
    /// classifier (Linear 25088 -&gt; hidden -&gt; classes, as the Keras tutorials' <c>Dense(256)</c> head); otherwise only
    /// the last Linear is replaced. Returns the new head.
    /// </summary>
    /// <exception cref="ArgumentException">A class count below 1, or a head with no Linear layer to read its input size from.</exception>
    public Module ReplaceHead(int classes, int hidden = 0, float dropout = 0f, Generator? generator = null)
    {
        if (classes < 1) throw new ArgumentException($"ReplaceHead: the number of classes must be at least 1, got {classes}.");
        if (hidden < 0) throw new ArgumentException($"ReplaceHead: hidden units must not be negative, got {hidden}.");
        string path = hidden > 0 && Model is Vgg ? "classifier" : Layout.HeadPath;
        var old = Model.GetSubmodule(path);
        var firstLinear = old.NamedModules().Select(m => m.Module).OfType<Linear>().FirstOrDefault()
            ?? throw new ArgumentException($"ReplaceHead: the head '{path}' ({old.GetType().Name}) has no Linear layer to take its input size from; use ReplaceHead(Module).");
        int inFeatures = firstLinear.InFeatures;
        Module head;
        if (hidden == 0) head = new Linear(inFeatures, classes, generator: generator);
        else
        {
            var mlp = new Sequential(new Linear(inFeatures, hidden, generator: generator), new ReLU());
            if (dropout > 0) mlp.Add(new Dropout(dropout, generator));
            mlp.Add(new Linear(hidden, classes, generator: generator));
            head = mlp;
        }
        return ReplaceHead(head, path);
    }

    /// <summary>Puts <paramref name="head"/> at <paramref name="path"/> (default: the current head's path) and recomputes the layout. Returns the head.</summary>
    public Module ReplaceHead(Module head, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        path ??= Layout.HeadPath;
        int dot = path.LastIndexOf('.');
        var parent = dot < 0 ? Model : Model.GetSubmodule(path[..dot]);
        parent.ReplaceModule(dot < 0 ? path : path[(dot + 1)..], head);
        Layout = BackboneLayout.Of(Model, path);
        return head;
    }

    // ---- freezing ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Freezes everything from the input up to and including <paramref name="until"/> and unfreezes the rest. It names
    /// a block (<c>layer3</c>, <c>block2</c>, case-insensitive), <c>backbone</c> (every block but the head), <c>none</c>
    /// (nothing frozen), or a parameter-name prefix (<c>layer3.0</c>, <c>features.10</c>): then every parameter up to
    /// the last one under that prefix, in the model's order, is frozen. Returns the names of the frozen parameters.
    /// </summary>
    /// <exception cref="ArgumentException">The name matches nothing (the message lists the blocks), or it would freeze the head.</exception>
    public IReadOnlyList<string> FreezeUntil(string until)
    {
        ArgumentNullException.ThrowIfNull(until);
        var names = Model.NamedParameters().ToArray();
        int last; // index in parameter order of the last parameter to freeze
        string key = until.Trim();
        if (key.Equals("none", StringComparison.OrdinalIgnoreCase)) last = -1;
        else if (key.Equals("backbone", StringComparison.OrdinalIgnoreCase))
            last = LastIndex(names, n => !Layout.HeadBlock.Contains(n));
        else if (Layout.Find(key) is { } block)
        {
            if (block == Layout.HeadBlock)
                throw new ArgumentException($"FreezeUntil: '{key}' is the head; freezing it leaves nothing to train (blocks: {BlockList()}).");
            int b = IndexOf(block);
            last = LastIndex(names, n => Blocks.Take(b + 1).Any(x => x.Contains(n)));
        }
        else
        {
            var prefix = new BackboneBlock(key, [key]);
            last = LastIndex(names, prefix.Contains);
            if (last < 0)
                throw new ArgumentException($"FreezeUntil: '{key}' is neither a block nor a parameter-name prefix of {Layout.Architecture} (blocks: {BlockList()}; or backbone, none).");
            if (names.Take(last + 1).Any(p => Layout.HeadBlock.Contains(p.Name)))
                throw new ArgumentException($"FreezeUntil: '{key}' reaches into the head '{Layout.HeadBlock.Name}'; freeze at most the backbone.");
        }
        var frozen = new List<string>();
        for (int i = 0; i < names.Length; i++)
        {
            names[i].Parameter.RequiresGrad = i > last;
            if (i <= last) frozen.Add(names[i].Name);
        }
        return frozen;
    }

    /// <summary>Freezes every block but the head (the same as <c>FreezeUntil("backbone")</c>).</summary>
    public void FreezeBackbone() => FreezeUntil("backbone");

    /// <summary>Makes every parameter trainable.</summary>
    public void UnfreezeAll() => FreezeUntil("none");

    /// <summary>Whether any parameter of <paramref name="block"/> is frozen.</summary>
    public bool IsFrozen(BackboneBlock block) => Layout.ParametersOf(block).Any(p => !p.Parameter.RequiresGrad);

    /// <summary>True when every parameter outside the head is frozen and every head parameter trains (features can be cached).</summary>
    public bool IsBackboneFrozen => Model.NamedParameters().All(p => p.Parameter.RequiresGrad == Layout.HeadBlock.Contains(p.Name));

    /// <summary>The frozen block nearest the head, or null when nothing is frozen.</summary>
    public BackboneBlock? NextToUnfreeze => Blocks.Reverse().FirstOrDefault(IsFrozen);

    /// <summary>Unfreezes the frozen block nearest the head (all of it) and returns it, or null when nothing was frozen.</summary>
    public BackboneBlock? UnfreezeNext()
    {
        var block = NextToUnfreeze;
        if (block is null) return null;
        foreach (var (_, p) in Layout.ParametersOf(block)) p.RequiresGrad = true;
        return block;
    }

    // ---- learning rates ----------------------------------------------------------------------------------------

    /// <summary>
    /// One optimizer group per block (named after it), frozen blocks included so that they train once unfrozen. The
    /// head learns at <paramref name="learningRate"/>; a block <c>d</c> blocks below the head at
    /// <c>learningRate * backboneScale * blockDecay^(d-1)</c>. With the defaults every block learns at the same rate.
    /// </summary>
    /// <exception cref="ArgumentException">A rate, scale or decay that is negative or not finite.</exception>
    public IReadOnlyList<ParamGroup> ParameterGroups(double learningRate, double backboneScale = 1, double blockDecay = 1, double? weightDecay = null)
    {
        foreach (var (what, v) in new[] { ("learning rate", learningRate), ("backbone scale", backboneScale), ("block decay", blockDecay) })
            if (!(v >= 0) || double.IsInfinity(v))
                throw new ArgumentException($"ParameterGroups: the {what} must be a finite number >= 0, got {v.ToString(CultureInfo.InvariantCulture)}.");
        var groups = new List<ParamGroup>();
        for (int b = 0; b < Blocks.Count; b++)
        {
            var block = Blocks[b];
            groups.Add(new ParamGroup(Layout.ParametersOf(block).Select(p => p.Parameter), LearningRateOf(b, learningRate, backboneScale, blockDecay), weightDecay, block.Name));
        }
        return groups;
    }

    /// <summary>The learning rate <see cref="ParameterGroups"/> gives block number <paramref name="index"/> (0 = the block at the input).</summary>
    public double LearningRateOf(int index, double learningRate, double backboneScale = 1, double blockDecay = 1)
    {
        int d = Blocks.Count - 1 - index;
        return d == 0 ? learningRate : learningRate * backboneScale * Math.Pow(blockDecay, d - 1);
    }

    // ---- description -------------------------------------------------------------------------------------------

    /// <summary>
    /// A table with one line per block: its parameters, how many train, and (given the optimizer's groups) its learning rate.
    /// </summary>
    public string Describe(IReadOnlyList<ParamGroup>? groups = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        int width = Math.Max(5, Blocks.Max(b => b.Name.Length));
        sb.Append(inv, $"{"block".PadRight(width)}  {"parameters",12}  {"trainable",12}  {"state",-8}");
        if (groups is not null) sb.Append("  lr");
        sb.AppendLine();
        long total = 0, trainable = 0;
        for (int b = 0; b < Blocks.Count; b++)
        {
            var ps = Layout.ParametersOf(Blocks[b]);
            long n = ps.Sum(p => (long)p.Parameter.Numel), t = ps.Where(p => p.Parameter.RequiresGrad).Sum(p => (long)p.Parameter.Numel);
            total += n;
            trainable += t;
            string state = t == 0 ? "frozen" : t == n ? "trains" : "partly";
            sb.Append(inv, $"{Blocks[b].Name.PadRight(width)}  {n,12:N0}  {t,12:N0}  {state,-8}");
            var g = groups?.FirstOrDefault(x => x.Name == Blocks[b].Name);
            if (g is not null) sb.Append(inv, $"  {g.LearningRate:G3}");
            sb.AppendLine();
        }
        sb.Append(inv, $"{"total".PadRight(width)}  {total,12:N0}  {trainable,12:N0}");
        return sb.ToString();
    }

    private string BlockList() => string.Join(", ", Blocks.Select(b => b.Name));

    private int IndexOf(BackboneBlock block)
    {
        for (int i = 0; i < Blocks.Count; i++)
            if (ReferenceEquals(Blocks[i], block)) return i;
        return -1;
    }

    private static int LastIndex((string Name, Parameter Parameter)[] names, Func<string, bool> predicate)
    {
        for (int i = names.Length - 1; i >= 0; i--)
            if (predicate(names[i].Name)) return i;
        return -1;
    }
}
