using NetFromScratch.Nn;

namespace NetFromScratch.Onnx.Import;

/// <summary>
/// What an op's compiler sees at load time: the node, the opset it is read under, its attributes (checked for type),
/// which inputs are constants known now, and which are weights held by the module. Compilers read attributes here,
/// once, and return a kernel that only computes.
/// </summary>
internal sealed class NodeCompilation
{
    private readonly Func<string, RuntimeValue?> _constant;
    private readonly Func<string, Nn.Buffer?> _buffer;
    private readonly Func<string, Parameter?> _parameter;
    private readonly Func<string, bool> _isUsed;

    public NodeCompilation(string model, int index, OnnxNode node, long opset,
        Func<string, RuntimeValue?> constant, Func<string, Nn.Buffer?> buffer, Func<string, Parameter?> parameter, Func<string, bool> isUsed)
    {
        Model = model;
        Index = index;
        Node = node;
        Opset = opset;
        _constant = constant;
        _buffer = buffer;
        _parameter = parameter;
        _isUsed = isUsed;
    }

    public string Model { get; }

    public int Index { get; }

    public OnnxNode Node { get; }

    /// <summary>The version of the standard operator set the model imports.</summary>
    public long Opset { get; }

    public int InputCount => Node.Inputs.Count;

    public bool HasInput(int i) => i < Node.Inputs.Count && Node.Inputs[i].Length > 0;

    /// <summary>The value of input <paramref name="i"/> when it is known at load time (an initializer or folded constant).</summary>
    public RuntimeValue? Constant(int i) => HasInput(i) ? _constant(Node.Inputs[i]) : null;

    /// <summary>The buffer holding input <paramref name="i"/> (BatchNormalization's running statistics), or null.</summary>
    public Nn.Buffer? Buffer(int i) => HasInput(i) ? _buffer(Node.Inputs[i]) : null;

    /// <summary>The parameter holding input <paramref name="i"/>, or null.</summary>
    public Parameter? Parameter(int i) => HasInput(i) ? _parameter(Node.Inputs[i]) : null;

    /// <summary>Whether output <paramref name="o"/> is read by another node or is a graph output.</summary>
    public bool OutputUsed(int o) => o < Node.Outputs.Count && Node.Outputs[o].Length > 0 && _isUsed(Node.Outputs[o]);

    public OnnxGraphException Error(string problem) => new(Model, Index, Node, problem);

    // ---- attributes ----------------------------------------------------------------------------------------------

    public bool HasAttribute(string name) => Node.FindAttribute(name) is not null;

    public long Int(string name, long fallback)
    {
        var a = Node.FindAttribute(name);
        if (a is null) return fallback;
        Expect(a, OnnxAttributeType.Int);
        return a.I;
    }

    public long RequiredInt(string name)
    {
        var a = Node.FindAttribute(name) ?? throw Error($"attribute '{name}' is required.");
        Expect(a, OnnxAttributeType.Int);
        return a.I;
    }

    public float Float(string name, float fallback)
    {
        var a = Node.FindAttribute(name);
        if (a is null) return fallback;
        Expect(a, OnnxAttributeType.Float);
        return a.F;
    }

    public string String(string name, string fallback)
    {
        var a = Node.FindAttribute(name);
        if (a is null) return fallback;
        Expect(a, OnnxAttributeType.String);
        return a.StringValue;
    }

    public long[]? Ints(string name)
    {
        var a = Node.FindAttribute(name);
        if (a is null) return null;
        Expect(a, OnnxAttributeType.Ints);
        return a.Ints.ToArray();
    }

    public float[]? Floats(string name)
    {
        var a = Node.FindAttribute(name);
        if (a is null) return null;
        Expect(a, OnnxAttributeType.Floats);
        return a.Floats.ToArray();
    }

    public OnnxTensor? Tensor(string name)
    {
        var a = Node.FindAttribute(name);
        if (a is null) return null;
        Expect(a, OnnxAttributeType.Tensor);
        return a.T;
    }

    private void Expect(OnnxAttribute a, OnnxAttributeType type)
    {
        // An empty list is stored with no values, so an untyped empty INTS or FLOATS reads as Undefined.
        if (a.Type == type || (a.Type == OnnxAttributeType.Undefined && type is OnnxAttributeType.Ints or OnnxAttributeType.Floats)) return;
        throw Error($"attribute '{a.Name}' must be {type.ToString().ToUpperInvariant()}, got {a.Type.ToString().ToUpperInvariant()}.");
    }

    /// <summary>Converts an attribute or input integer to int, naming it when it does not fit.</summary>
    public int ToInt(long value, string what) =>
        value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error($"{what} {value} is out of range.");
}
