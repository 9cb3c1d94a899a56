using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Onnx.Import;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx;

/// <summary>
/// The graph being written by <see cref="OnnxExporter"/>, as module emitters see it: add weights and nodes, emit
/// submodules, and ask the shape of any value. Each node is run as it is added, by the same kernels the importer
/// uses, on an example input of the shape given to the exporter: so every value has a known shape, and a node the
/// importer could not run fails here, naming the module.
/// </summary>
public sealed class OnnxExportContext
{
    private readonly Dictionary<string, RuntimeValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _initializerSources = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _constantNames = new(StringComparer.Ordinal);
    private readonly Func<Module, OnnxModuleEmitter?> _findEmitter;
    private int _constants;

    internal OnnxExportContext(int opset, Func<Module, OnnxModuleEmitter?> findEmitter)
    {
        Opset = opset;
        _findEmitter = findEmitter;
    }

    /// <summary>The standard operator set being written.</summary>
    public int Opset { get; }

    internal OnnxGraph Graph { get; } = new();

    /// <summary>Emits <paramref name="module"/> (found by its type among the registered emitters) at <paramref name="path"/>, reading <paramref name="input"/>; returns its output value's name.</summary>
    /// <exception cref="NotSupportedException">No emitter is registered for the module's type.</exception>
    public string Emit(Module module, string path, string input)
    {
        ArgumentNullException.ThrowIfNull(module);
        var emitter = _findEmitter(module) ?? throw new NotSupportedException(
            $"OnnxExporter: no emitter for module type '{module.GetType().Name}' at '{(path.Length > 0 ? path : "(root)")}'; register one with OnnxExporter.Register<{module.GetType().Name}>(...).");
        return emitter(this, module, path, input);
    }

    /// <summary>The dotted path of child <paramref name="name"/> of the module at <paramref name="path"/>.</summary>
    public static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>
    /// Adds a weight called <paramref name="name"/> (a module path such as <c>layer1.0.conv1.weight</c>, which an import
    /// turns back into a parameter of that name) holding <paramref name="value"/>'s current values. Adding the same
    /// tensor under the same name again (a module used twice) reuses it.
    /// </summary>
    public string AddInitializer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_initializerSources.TryGetValue(name, out var existing))
        {
            if (ReferenceEquals(existing, value)) return name;
            throw new InvalidOperationException($"OnnxExporter: two different tensors are both named '{name}'.");
        }
        if (!_names.Add(name)) throw new InvalidOperationException($"OnnxExporter: the name '{name}' is already used by a value.");
        _initializerSources[name] = value;
        Graph.Initializers.Add(OnnxTensor.FromTensor(name, value));
        _values[name] = new Variable(value.To(Device.Cpu));
        return name;
    }

    /// <summary>Adds a constant scalar (an initializer of rank 0, which an import keeps as a constant) and returns its name.</summary>
    public string AddConstant(float value)
    {
        string name = Unique($"const_{_constants++}");
        _constantNames.Add(name);
        Graph.Initializers.Add(OnnxTensor.FromFloats(name, [], [value]));
        _values[name] = new Variable(Tensor.Scalar(value));
        return name;
    }

    /// <summary>Adds a constant INT64 vector (shapes, axes, pads) and returns its name.</summary>
    public string AddConstant(long[] values)
    {
        string name = Unique($"const_{_constants++}");
        _constantNames.Add(name);
        Graph.Initializers.Add(OnnxTensor.FromInt64s(name, [values.Length], values));
        _values[name] = IntTensor.Vector(values);
        return name;
    }

    /// <summary>
    /// Adds a node of <paramref name="opType"/> for the module at <paramref name="path"/>, reading <paramref name="inputs"/>
    /// (an empty name omits an optional input), and returns the name of its (first) output.
    /// </summary>
    public string AddNode(string opType, string path, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string stem = path.Length == 0 ? opType : $"{path}/{opType}";
        string nodeName = Unique(stem);
        string output = Unique(stem + "_output");
        var node = OnnxNode.Create(opType, nodeName, inputs, [output], attributes);
        Evaluate(node, path);
        Graph.Nodes.Add(node);
        return output;
    }

    /// <summary>The shape <paramref name="value"/> has for the example input.</summary>
    public Shape ShapeOf(string value) =>
        _values.TryGetValue(value, out var v) ? new Shape(v.Dims) : throw new ArgumentException($"OnnxExporter: no value named '{value}'.");

    internal void AddInput(string name, Tensor example)
    {
        _names.Add(name);
        _values[name] = new Variable(example);
    }

    internal RuntimeValue ValueOf(string name) => _values[name];

    /// <summary>Renames the output of the node producing <paramref name="value"/> (or adds an Identity when an input or weight is returned as is).</summary>
    internal string RenameOutput(string value, string name)
    {
        var producer = Graph.Nodes.LastOrDefault(n => n.Outputs.Contains(value));
        if (producer is null || Graph.Nodes.Any(n => n.Inputs.Contains(value)) || _names.Contains(name))
        {
            if (_names.Contains(name)) throw new InvalidOperationException($"OnnxExporter: the output name '{name}' is already used.");
            var identity = OnnxNode.Create("Identity", Unique("output/Identity"), [value], [name]);
            _names.Add(name);
            Graph.Nodes.Add(identity);
            _values[name] = _values[value];
            return name;
        }
        producer.Outputs[producer.Outputs.IndexOf(value)] = name;
        _names.Add(name);
        _values[name] = _values[value];
        return name;
    }

    private string Unique(string stem)
    {
        string name = stem;
        for (int k = 1; !_names.Add(name); k++) name = $"{stem}_{k}";
        return name;
    }

    // Runs the node on the example values with the importer's kernel.
    private void Evaluate(OnnxNode node, string path)
    {
        var info = OpRegistry.Find(node) ?? throw new InvalidOperationException($"OnnxExporter: '{node.OpType}' (at '{path}') is not an operator the importer supports.");
        var compilation = new NodeCompilation("export", Graph.Nodes.Count, node, Opset,
            name => _constantNames.Contains(name) ? (RuntimeValue?)_values[name] : null,
            _ => null, _ => null, _ => true);
        var slots = new RuntimeValue[node.Inputs.Count + node.Outputs.Count];
        var ins = new int[node.Inputs.Count];
        for (int i = 0; i < ins.Length; i++)
        {
            if (node.Inputs[i].Length == 0) { ins[i] = -1; continue; }
            if (!_values.TryGetValue(node.Inputs[i], out var v))
                throw new InvalidOperationException($"OnnxExporter: node {node.Name} reads '{node.Inputs[i]}', which has not been written.");
            slots[i] = v;
            ins[i] = i;
        }
        var outs = Enumerable.Range(node.Inputs.Count, node.Outputs.Count).ToArray();
        try
        {
            var kernel = info.Compile(compilation);
            using (NoGrad.Scope()) kernel(new NodeFrame(slots, ins, outs, ExecutionState.Folding));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"OnnxExporter: {(path.Length > 0 ? path : "(root)")}: {node.OpType} failed on the example input: {e.Message}", e);
        }
        for (int o = 0; o < node.Outputs.Count; o++) _values[node.Outputs[o]] = slots[outs[o]];
    }

    /// <summary>Adds a node of an imported graph, its names already made unique by the caller.</summary>
    internal void AddImportedNode(OnnxNode node, string path)
    {
        foreach (var o in node.Outputs)
            if (o.Length > 0 && !_names.Add(o)) throw new InvalidOperationException($"OnnxExporter: the value name '{o}' is already used.");
        Evaluate(node, path);
        Graph.Nodes.Add(node);
    }

    /// <summary>Adds a constant initializer of an imported graph (a shape, an axis list), its name made unique by the caller.</summary>
    internal void AddImportedConstant(OnnxTensor tensor)
    {
        if (!_names.Add(tensor.Name)) throw new InvalidOperationException($"OnnxExporter: the name '{tensor.Name}' is already used.");
        _constantNames.Add(tensor.Name);
        Graph.Initializers.Add(tensor);
        _values[tensor.Name] = Import.GraphCompiler.IsFloat(tensor.DataType)
            ? new Variable(tensor.ToTensor())
            : new IntTensor(tensor.ToInt64Array(), tensor.Dims.Select(d => checked((int)d)).ToArray());
    }
}
