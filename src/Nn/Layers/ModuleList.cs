using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Holds modules so their parameters are registered (named "0", "1", ...), without defining how they are called:
/// the owner's forward decides. Calling it directly is an error.
/// </summary>
public sealed class ModuleList : Module
{
    private readonly List<Module> _items = new();

    /// <summary>Creates the list.</summary>
    public ModuleList(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module.</summary>
    public ModuleList Add(Module module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _items[index];

    /// <inheritdoc/>
    protected override void OnChildReplaced(string name, Module module) => _items[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = module;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input) =>
        throw new InvalidOperationException("ModuleList has no forward of its own: iterate it in the owning module's forward.");
}
