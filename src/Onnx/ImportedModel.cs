using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Onnx.Import;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx;

/// <summary>
/// An ONNX graph as a trainable <see cref="Module"/> (made by <see cref="OnnxImporter.Load(OnnxModel)"/>): float
/// initializers are <see cref="Parameter"/>s and BatchNormalization statistics are buffers, named as in the file and
/// nested by their dots (<c>layer1.0.conv1.weight</c> is parameter <c>weight</c> of submodule <c>layer1.0.conv1</c>),
/// so an imported network trains, freezes by prefix (<c>Freeze("layer1")</c>) and saves its state dict like a built
/// one. The nodes were compiled once at load time; a forward pass runs their kernels through autograd ops.
/// Shape: as the graph declares (<see cref="Inputs"/>, <see cref="Outputs"/>).
/// </summary>
/// <remarks>
/// <para>Initializer names that cannot be a module path (an empty segment such as <c>a..b</c>, or a name that is also
/// the prefix of another) are registered at the top level with their dots replaced by underscores;
/// <see cref="ParameterByOnnxName"/> finds every parameter by its ONNX name either way.</para>
/// <para>Integer and rank-0 initializers, and float initializers read only as configuration (a Reshape's shape, a
/// Clip's bounds), are constants. Nodes whose inputs are all constants ran at load time.</para>
/// <para>In training mode, Dropout drops and BatchNormalization uses batch statistics (updating its running
/// statistics) unless its scale is a frozen parameter, as <see cref="Nn.Layers.BatchNorm"/>.</para>
/// </remarks>
public sealed class ImportedModel : Module
{
    private readonly CompiledGraph _graph;
    private readonly Dictionary<string, Parameter> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Nn.Buffer> _buffers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flatNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _registeredNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _treeNames;
    private readonly HashSet<string> _treeRoots;
    private (Device Device, RuntimeValue[] Values)? _deviceTemplate;

    internal ImportedModel(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Source = model.Source;
        OpsetVersion = model.OpsetVersion("");
        _treeNames = TreeNames(model.Graph);
        _treeRoots = _treeNames.Select(n => n.Split('.')[0]).ToHashSet(StringComparer.Ordinal);
        _graph = GraphCompiler.Compile(model, AddParameter, AddBuffer);
        // A copy of the graph for export; the weights' data is dropped (ToOnnx writes their current values).
        Model = OnnxModel.Parse(model.ToBytes(), model.Source);
        var initializers = Model.Graph.Initializers;
        for (int i = 0; i < initializers.Count; i++)
            if (_parameters.ContainsKey(initializers[i].Name) || _buffers.ContainsKey(initializers[i].Name))
            {
                var placeholder = new OnnxTensor { Name = initializers[i].Name, DataType = initializers[i].DataType };
                placeholder.Dims.AddRange(initializers[i].Dims);
                initializers[i] = placeholder;
            }
        Eval();
    }

    /// <summary>The model's file or name.</summary>
    public string Source { get; }

    /// <summary>The version of the standard operator set the graph was read under.</summary>
    public long OpsetVersion { get; }

    /// <summary>The graph as imported, its weights' data left out (<see cref="ToOnnx"/> writes their current values).</summary>
    internal OnnxModel Model { get; }

    /// <summary>The graph's inputs (initializers listed as inputs by old exporters excluded), in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs => _graph.Inputs;

    /// <summary>The graph's outputs, in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs => _graph.Outputs;

    /// <summary>Names of <see cref="Inputs"/>.</summary>
    public IReadOnlyList<string> InputNames => _graph.Inputs.Select(v => v.Name).ToArray();

    /// <summary>Names of <see cref="Outputs"/>.</summary>
    public IReadOnlyList<string> OutputNames => _graph.Outputs.Select(v => v.Name).ToArray();

    /// <summary>Every parameter by its ONNX initializer name.</summary>
    public IReadOnlyDictionary<string, Parameter> ParametersByOnnxName => _parameters;

    /// <summary>Every buffer (BatchNormalization's running statistics) by its ONNX initializer name.</summary>
    public IReadOnlyDictionary<string, Nn.Buffer> BuffersByOnnxName => _buffers;

    /// <summary>Number of nodes that run on each forward pass (after folding constants at load time).</summary>
    public int CompiledNodeCount => _graph.Nodes.Length;

    /// <summary>The parameter made from the initializer called <paramref name="onnxName"/>.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists a few that exist.</exception>
    public Parameter ParameterByOnnxName(string onnxName) =>
        _parameters.TryGetValue(onnxName, out var p) ? p
        : throw new KeyNotFoundException($"{Source}: no parameter named '{onnxName}' (parameters: {string.Join(", ", _parameters.Keys.Take(12))}{(_parameters.Count > 12 ? ", ..." : "")}).");

    /// <summary>The name under which <paramref name="onnxName"/> appears in <see cref="Module.NamedParameters"/> and the state dict.</summary>
    public string ModuleNameOf(string onnxName) =>
        _registeredNames.TryGetValue(onnxName, out var n) ? n : throw new KeyNotFoundException($"{Source}: no initializer named '{onnxName}' is a parameter or buffer.");

    // ---- running ----------------------------------------------------------------------------------------------

    /// <summary>Runs a single-input graph and returns its first output. Shape: as the graph declares.</summary>
    /// <exception cref="OnnxGraphException">The graph has several inputs, the input does not fit the declared shape, or a node fails.</exception>
    protected override Variable ForwardCore(Variable input)
    {
        if (_graph.Inputs.Length != 1)
            throw new OnnxGraphException(Source, -1, null,
                $"Forward takes one input but the graph has {_graph.Inputs.Length} ({string.Join(", ", InputNames)}); call Run with a dictionary.");
        var outputs = Execute([ToRuntime(0, input)]);
        return outputs[0].AsVariable(input.Device);
    }

    /// <summary>Runs the graph on named inputs and returns every output by name; gradients flow as in <see cref="Module.Forward(Variable)"/>.</summary>
    public IReadOnlyDictionary<string, Variable> Run(IReadOnlyDictionary<string, Variable> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new RuntimeValue[_graph.Inputs.Length];
        for (int i = 0; i < values.Length; i++)
        {
            string name = _graph.Inputs[i].Name;
            if (!inputs.TryGetValue(name, out var v))
                throw new OnnxGraphException(Source, -1, null, $"input '{name}' was not given (inputs: {string.Join(", ", InputNames)}).");
            values[i] = ToRuntime(i, v);
        }
        foreach (var key in inputs.Keys)
            if (!_graph.Inputs.Any(v => v.Name == key))
                throw new OnnxGraphException(Source, -1, null, $"the graph has no input named '{key}' (inputs: {string.Join(", ", InputNames)}).");
        var device = inputs.Values.FirstOrDefault()?.Device ?? Device.Cpu;
        var outputs = Execute(values);
        var result = new Dictionary<string, Variable>(StringComparer.Ordinal);
        for (int i = 0; i < outputs.Length; i++) result[_graph.Outputs[i].Name] = outputs[i].AsVariable(device);
        return result;
    }

    /// <summary>Runs the graph for inference (no gradients recorded) on named input tensors; returns every output by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // Intermediates go back to the pool at the end; the outputs are kept for the caller.
        using var inference = InferenceMode.Enter();
        var outputs = Run(inputs.ToDictionary(kv => kv.Key, kv => new Variable(kv.Value)));
        return outputs.ToDictionary(kv => kv.Key, kv => inference.Keep(kv.Value).Data);
    }

    /// <summary>
    /// Runs the graph for inference on ONNX tensors (as read from <c>input_0.pb</c> files) and returns the outputs as
    /// ONNX tensors named after the graph's outputs. Inputs are matched by name when every one is named after a graph
    /// input, by position otherwise. Integer outputs are written as INT64 (or the declared integer type), float ones
    /// as FLOAT.
    /// </summary>
    public IReadOnlyList<OnnxTensor> Run(IReadOnlyList<OnnxTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != _graph.Inputs.Length)
            throw new OnnxGraphException(Source, -1, null, $"the graph takes {_graph.Inputs.Length} inputs ({string.Join(", ", InputNames)}), got {inputs.Count}.");
        bool byName = inputs.All(t => _graph.Inputs.Any(v => v.Name == t.Name)) && inputs.Select(t => t.Name).Distinct().Count() == inputs.Count;
        var values = new RuntimeValue[_graph.Inputs.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var t = byName ? inputs.First(x => x.Name == _graph.Inputs[i].Name) : inputs[i];
            RuntimeValue v = GraphCompiler.IsFloat(t.DataType) ? new Variable(t.ToTensor())
                : new IntTensor(t.ToInt64Array(), t.Dims.Select(d => checked((int)d)).ToArray());
            Check(i, v.Dims);
            values[i] = v;
        }
        RuntimeValue[] outputs;
        using (NoGrad.Scope()) outputs = Execute(values);
        var result = new List<OnnxTensor>();
        for (int i = 0; i < outputs.Length; i++)
            result.Add(ToOnnxTensor(_graph.Outputs[i], outputs[i]));
        return result;
    }

    /// <summary>This graph with the current values of its parameters and buffers, for saving or running elsewhere.</summary>
    public OnnxModel ToOnnx()
    {
        // Put the current weights in place of the placeholders just long enough to write the bytes.
        lock (Model)
        {
            var initializers = Model.Graph.Initializers;
            var placeholders = initializers.ToArray();
            try
            {
                for (int i = 0; i < initializers.Count; i++)
                {
                    string name = initializers[i].Name;
                    Tensor? current = _parameters.TryGetValue(name, out var p) ? p.Data : _buffers.TryGetValue(name, out var b) ? b.Data : null;
                    if (current is not null) initializers[i] = OnnxTensor.FromTensor(name, current);
                }
                return OnnxModel.Parse(Model.ToBytes(), Source);
            }
            finally
            {
                for (int i = 0; i < placeholders.Length; i++) initializers[i] = placeholders[i];
            }
        }
    }

    private RuntimeValue ToRuntime(int index, Variable v)
    {
        Check(index, v.Shape.ToArray());
        var type = _graph.Inputs[index].Type?.TensorType?.ElemType ?? OnnxDataType.Float;
        return GraphCompiler.IsFloat(type) || type == OnnxDataType.Undefined ? v : IntTensor.FromTensor(v.Data);
    }

    private void Check(int index, int[] dims)
    {
        var declared = _graph.Inputs[index].Type?.TensorType?.Shape;
        if (declared is null) return;
        bool fits = declared.Dims.Count == dims.Length;
        for (int i = 0; fits && i < dims.Length; i++)
            fits = declared.Dims[i].Value is not { } d || d == dims[i];
        if (!fits)
            throw new OnnxGraphException(Source, -1, null, $"input '{_graph.Inputs[index].Name}' expects {_graph.Inputs[index].Type}, got shape {new Shape(dims)}.");
    }

    private static OnnxTensor ToOnnxTensor(OnnxValueInfo info, RuntimeValue value)
    {
        var declared = info.Type?.TensorType?.ElemType ?? OnnxDataType.Undefined;
        if (value.Float is { } f && !(declared is OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Bool))
            return OnnxTensor.FromTensor(info.Name, f.Data);
        var ints = value.AsInts();
        var dims = ints.Dims.Select(d => (long)d).ToArray();
        if (declared is OnnxDataType.Int32 or OnnxDataType.Bool or OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Int16 or OnnxDataType.UInt16)
        {
            var t = new OnnxTensor { Name = info.Name, DataType = declared };
            t.Dims.AddRange(dims);
            t.Int32Data.AddRange(ints.Data.Select(v => (int)v));
            return t;
        }
        return OnnxTensor.FromInt64s(info.Name, dims, ints.Data);
    }

    private RuntimeValue[] Execute(RuntimeValue[] inputs)
    {
        var device = inputs.FirstOrDefault(v => v.Float is not null).Float?.Device ?? Device.Cpu;
        var slots = (RuntimeValue[])TemplateFor(device).Clone();
        foreach (var (slot, buffer) in _graph.BufferSlots) slots[slot] = new Variable(buffer.Data);
        for (int i = 0; i < inputs.Length; i++) slots[_graph.InputSlots[i]] = inputs[i];
        var state = new ExecutionState(IsTraining, device);
        foreach (var node in _graph.Nodes)
        {
            try
            {
                node.Kernel(new NodeFrame(slots, node.Inputs, node.Outputs, state));
            }
            catch (Exception e) when (e is not OnnxGraphException and not OutOfMemoryException)
            {
                throw new OnnxGraphException(Source, node.Index, node.Node, e.Message, e);
            }
            foreach (int s in node.Release) slots[s] = default;
        }
        var outputs = new RuntimeValue[_graph.OutputSlots.Length];
        for (int i = 0; i < outputs.Length; i++) outputs[i] = slots[_graph.OutputSlots[i]];
        return outputs;
    }

    // Constants were made on the CPU; on another device they are copied once and kept for the next call.
    private RuntimeValue[] TemplateFor(Device device)
    {
        if (ReferenceEquals(device, Device.Cpu)) return _graph.Template;
        if (_deviceTemplate is { } cached && ReferenceEquals(cached.Device, device)) return cached.Values;
        var values = (RuntimeValue[])_graph.Template.Clone();
        // Leaves made from tensors, not recorded moves: an InferenceMode scope around this call must not release a cache.
        for (int i = 0; i < values.Length; i++)
            if (_graph.IsConstant[i] && values[i].Float is { } constant && !ReferenceEquals(constant.Device, device))
                values[i] = new RuntimeValue(new Variable(constant.Data.To(device)));
        _deviceTemplate = (device, values);
        return values;
    }

    // ---- the weight tree ----------------------------------------------------------------------------------------

    // Initializer names that can be module paths: every segment non-empty, and not also the prefix of another name.
    private static HashSet<string> TreeNames(OnnxGraph graph)
    {
        var names = graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
            for (int i = n.IndexOf('.'); i >= 0; i = n.IndexOf('.', i + 1)) prefixes.Add(n[..i]);
        return names.Where(n => n.Split('.').All(s => s.Length > 0) && !prefixes.Contains(n)).ToHashSet(StringComparer.Ordinal);
    }

    private Parameter AddParameter(string onnxName, Tensor data)
    {
        var (scope, leaf) = Place(onnxName);
        var p = scope is null ? RegisterParameter(leaf, data) : scope.AddParameter(leaf, data);
        p.Variable.Name = onnxName;
        _parameters[onnxName] = p;
        return p;
    }

    private Nn.Buffer AddBuffer(string onnxName, Tensor data)
    {
        var (scope, leaf) = Place(onnxName);
        var b = scope is null ? RegisterBuffer(leaf, data) : scope.AddBuffer(leaf, data);
        _buffers[onnxName] = b;
        return b;
    }

    // Where a name goes: the scope for its dotted prefix and its last segment, or the top level with a flattened
    // name that avoids the top-level names of the tree.
    private (ParameterScope? Scope, string Leaf) Place(string onnxName)
    {
        if (_treeNames.Contains(onnxName))
        {
            _registeredNames[onnxName] = onnxName;
            var parts = onnxName.Split('.');
            ParameterScope? scope = null;
            for (int i = 0; i < parts.Length - 1; i++)
                scope = scope is null ? RootChild(parts[0]) : scope.Child(parts[i]);
            return (scope, parts[^1]);
        }
        string flat = onnxName.Length == 0 ? "_" : onnxName.Replace('.', '_');
        string unique = flat;
        for (int k = 1; _treeRoots.Contains(unique) || !_flatNames.Add(unique); k++) unique = $"{flat}_{k}";
        _registeredNames[onnxName] = unique;
        return (null, unique);
    }

    private ParameterScope RootChild(string name)
    {
        if (NamedChildren().FirstOrDefault(c => c.Name == name).Module is ParameterScope existing) return existing;
        return RegisterModule(name, new ParameterScope());
    }
}
