using System.Text;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Serialization;

namespace NetFromScratch.Nn;

/// <summary>
/// The base of every layer and model: named parameters, buffers and submodules registered explicitly (no reflection,
/// so trimming and NativeAOT keep working), train/eval mode, freezing, forward hooks, a state dict in the safetensors
/// format, and a summary table. Names follow PyTorch's: a child registered as <c>"features"</c> holding a child
/// <c>"0"</c> with a parameter <c>"weight"</c> gives <c>"features.0.weight"</c>.
/// </summary>
/// <remarks>
/// Subclasses register their state in the constructor (<see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/>,
/// <see cref="RegisterModule{T}"/>) and implement <see cref="ForwardCore"/>. Callers use <see cref="Forward(Variable)"/>, which
/// also runs forward hooks.
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Parameter Value)> _parameters = new();
    private readonly List<(string Name, Buffer Value)> _buffers = new();
    private readonly List<(string Name, Module Value)> _children = new();
    private readonly List<Action<Module, Variable, Variable>> _forwardHooks = new();

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics); see <see cref="Train"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Runs the module on <paramref name="input"/>, then every forward hook.</summary>
    public Variable Forward(Variable input)
    {
        var output = ForwardCore(input);
        foreach (var hook in _forwardHooks) hook(this, input, output);
        return output;
    }

    /// <summary>Runs the module on a tensor that needs no gradient (inference or the first layer's input).</summary>
    public Variable Forward(Tensor input) => Forward(new Variable(input));

    /// <summary>The computation of this module. Shape: documented by each layer.</summary>
    protected abstract Variable ForwardCore(Variable input);

    /// <summary>A short description of this module's configuration for <see cref="ToString"/>, e.g. <c>in=784, out=128</c>.</summary>
    public virtual string ExtraRepr() => "";

    // ---- registration ------------------------------------------------------------------------------------------

    /// <summary>Adds a trainable tensor under <paramref name="name"/> and returns it.</summary>
    protected Parameter RegisterParameter(string name, Tensor data, bool requiresGrad = true)
    {
        CheckName(name);
        var p = new Parameter(data, requiresGrad, name);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Adds a non-trainable state tensor under <paramref name="name"/> and returns it.</summary>
    protected Buffer RegisterBuffer(string name, Tensor data)
    {
        CheckName(name);
        var b = new Buffer(data);
        _buffers.Add((name, b));
        return b;
    }

    /// <summary>Adds a submodule under <paramref name="name"/> and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Replaces the submodule called <paramref name="name"/> (for example a classifier head when fine-tuning).</summary>
    public void ReplaceModule(string name, Module module)
    {
        int i = _children.FindIndex(c => c.Name == name);
        if (i < 0) throw new ArgumentException($"{GetType().Name}: no submodule named '{name}' (has: {string.Join(", ", _children.Select(c => c.Name))}).");
        _children[i] = (name, module);
        OnChildReplaced(name, module);
    }

    /// <summary>Lets a subclass update its typed field when <see cref="ReplaceModule"/> swaps a child.</summary>
    protected virtual void OnChildReplaced(string name, Module module) { }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid member name (non-empty, no dots).");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: a member named '{name}' is already registered.");
    }

    // ---- traversal ---------------------------------------------------------------------------------------------

    /// <summary>Direct submodules with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Name, c.Value));

    /// <summary>This module (name <paramref name="prefix"/>) and every descendant, depth first, with dotted names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedModules(Join(prefix, name)))
                yield return item;
    }

    /// <summary>Every parameter of this module and its descendants, with dotted names (own parameters first).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (Join(prefix, name), p);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(Join(prefix, name)))
                yield return item;
    }

    /// <summary>Every parameter, in <see cref="NamedParameters"/> order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Parameters that are not frozen.</summary>
    public IEnumerable<Parameter> TrainableParameters() => Parameters().Where(p => p.RequiresGrad);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Buffer Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (Join(prefix, name), b);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedBuffers(Join(prefix, name)))
                yield return item;
    }

    /// <summary>The descendant at a dotted path such as <c>"layer1.0"</c>, or this module for an empty path.</summary>
    public Module GetSubmodule(string path)
    {
        if (string.IsNullOrEmpty(path)) return this;
        var m = this;
        foreach (var part in path.Split('.'))
        {
            var next = m._children.FirstOrDefault(c => c.Name == part).Value;
            if (next is null)
                throw new ArgumentException($"{GetType().Name}: no submodule '{path}' ('{part}' not among: {string.Join(", ", m._children.Select(c => c.Name))}).");
            m = next;
        }
        return m;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes -------------------------------------------------------------------------------------------------

    /// <summary>Sets training (or evaluation) mode on this module and every descendant. Returns this module.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = training;
        return this;
    }

    /// <summary>Evaluation mode: dropout off, batch norm uses running statistics.</summary>
    public Module Eval() => Train(false);

    /// <summary>Stops gradients and optimizer updates for every parameter of this module (or those under <paramref name="prefix"/>).</summary>
    public Module Freeze(string? prefix = null) => SetRequiresGrad(false, prefix);

    /// <summary>Undoes <see cref="Freeze"/> for every parameter (or those under <paramref name="prefix"/>).</summary>
    public Module Unfreeze(string? prefix = null) => SetRequiresGrad(true, prefix);

    private Module SetRequiresGrad(bool value, string? prefix)
    {
        int matched = 0;
        foreach (var (name, p) in NamedParameters())
        {
            if (prefix is null || name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                p.RequiresGrad = value;
                matched++;
            }
        }
        if (prefix is not null && matched == 0)
        {
            var names = NamedParameters().Select(np => np.Name).ToList();
            string listed = names.Count == 0 ? "it has no parameters" : $"its parameters: {string.Join(", ", names.Take(8))}{(names.Count > 8 ? $", ... ({names.Count} in all)" : "")}";
            throw new ArgumentException($"{(value ? "Unfreeze" : "Freeze")}: no parameter is named '{prefix}' or starts with '{prefix}.' in {GetType().Name}; {listed}.");
        }
        return this;
    }

    /// <summary>Calls <paramref name="action"/> on every descendant and then this module (as torch's apply), e.g. to initialise weights.</summary>
    public Module Apply(Action<Module> action)
    {
        foreach (var (_, child) in _children) child.Apply(action);
        action(this);
        return this;
    }

    /// <summary>Registers <paramref name="hook"/>(module, input, output) to run after every <see cref="Forward(Variable)"/>; dispose the handle to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Variable, Variable> hook)
    {
        _forwardHooks.Add(hook);
        return new HookHandle(() => _forwardHooks.Remove(hook));
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? _remove = remove;
        public void Dispose() { _remove?.Invoke(); _remove = null; }
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> (gradients are dropped). Returns this module.</summary>
    public Module To(Device device)
    {
        foreach (var p in Parameters()) p.Data = p.Data.To(device);
        foreach (var (_, b) in NamedBuffers()) b.Data = b.Data.To(device);
        return this;
    }

    /// <summary>Sets every parameter's gradient to null.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Total number of parameter elements (trainable and frozen).</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);

    // ---- state dict --------------------------------------------------------------------------------------------

    /// <summary>Every parameter then buffer of each module, depth first, by dotted name (PyTorch's order). The tensors are the live ones.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateDict()
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        Collect(this, "", list);
        return list;

        static void Collect(Module m, string prefix, List<KeyValuePair<string, Tensor>> list)
        {
            foreach (var (name, p) in m._parameters) list.Add(new(Join(prefix, name), p.Data));
            foreach (var (name, b) in m._buffers) list.Add(new(Join(prefix, name), b.Data));
            foreach (var (name, child) in m._children) Collect(child, Join(prefix, name), list);
        }
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers by name. With
    /// <paramref name="strict"/>, any missing, unexpected or mismatched key fails before anything is copied; otherwise
    /// matching keys are copied and the rest reported.
    /// </summary>
    /// <exception cref="InvalidOperationException">Strict loading found differences; the message lists each key.</exception>
    public LoadResult LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> state, bool strict = true)
    {
        var own = new Dictionary<string, Tensor>();
        var setters = new Dictionary<string, Action<Tensor>>();
        foreach (var (name, p) in NamedParameters()) { own[name] = p.Data; setters[name] = t => p.Data.CopyFrom(t.To(p.Data.Device)); }
        foreach (var (name, b) in NamedBuffers()) { own[name] = b.Data; setters[name] = t => b.Data.CopyFrom(t.To(b.Data.Device)); }

        var given = new Dictionary<string, Tensor>();
        foreach (var (k, v) in state) given[k] = v;
        var missing = own.Keys.Where(k => !given.ContainsKey(k)).ToList();
        var unexpected = given.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = own.Keys.Where(k => given.TryGetValue(k, out var t) && t.Shape != own[k].Shape)
            .Select(k => $"{k} (model {own[k].Shape}, file {given[k].Shape})").ToList();
        var result = new LoadResult(missing, unexpected, mismatched);
        if (strict && !result.IsExact)
            throw new InvalidOperationException($"LoadStateDict into {GetType().Name}: {result}.");
        foreach (var (k, t) in given)
            if (own.TryGetValue(k, out var target) && target.Shape == t.Shape) setters[k](t);
        return result;
    }

    /// <summary>Writes the state dict to a safetensors file (atomically: a failed save keeps the previous file).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => SafeTensors.Save(path, StateDict(), metadata);

    /// <summary>Loads a safetensors state dict written here or by PyTorch (safetensors.torch.save_file).</summary>
    public LoadResult Load(string path, bool strict = true)
    {
        var file = SafeTensors.Load(path);
        try
        {
            return LoadStateDict(file.Tensors, strict);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{path}: {e.Message}", e);
        }
    }

    // ---- description -------------------------------------------------------------------------------------------

    /// <summary>A nested description in PyTorch's style, one line per module.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Describe(sb, 0);
        return sb.ToString();
    }

    private void Describe(StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        if (_children.Count > 0)
        {
            sb.AppendLine();
            foreach (var (name, child) in _children)
            {
                sb.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
                child.Describe(sb, indent + 2);
                sb.AppendLine();
            }
            sb.Append(' ', indent);
        }
        sb.Append(')');
    }

    /// <summary>
    /// A table like torchinfo's: each module with its output shape (when <paramref name="inputShape"/> is given, found by
    /// one forward pass in evaluation mode without gradients), its own parameter count and whether they are trainable;
    /// then the totals.
    /// </summary>
    public string Summary(Shape? inputShape = null, Device? device = null) => ModuleSummary.Format(this, inputShape, device);

    internal IReadOnlyList<(string Name, Parameter Value)> OwnParameters => _parameters;
}
