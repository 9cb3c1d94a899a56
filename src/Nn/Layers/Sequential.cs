using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Runs its children in order, each on the previous one's output. Children are named "0", "1", ... as in PyTorch,
/// so <c>features.3.weight</c> is the weight of the fourth module of a Sequential called <c>features</c>.
/// Shape: whatever the chain maps its input to.
/// </summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    /// <summary>Creates the chain.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a module named by its position.</summary>
    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of modules.</summary>
    public int Count => _layers.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc/>
    protected override void OnChildReplaced(string name, Module module) => _layers[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = module;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
