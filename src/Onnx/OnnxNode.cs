using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// One operator call in a graph (<c>NodeProto</c>): the operator (<see cref="OpType"/> in <see cref="Domain"/>), the
/// names of the values it reads and writes (an empty input name marks an omitted optional input), and its attributes.
/// </summary>
public sealed class OnnxNode
{
    private const int InputField = 1;
    private const int OutputField = 2;
    private const int NameField = 3;
    private const int OpTypeField = 4;
    private const int AttributeField = 5;
    private const int DocStringField = 6;
    private const int DomainField = 7;

    /// <summary>Names of the input values, in operator order.</summary>
    public List<string> Inputs { get; } = [];

    /// <summary>Names of the output values, in operator order.</summary>
    public List<string> Outputs { get; } = [];

    /// <summary>The node's name (optional, for people and error messages).</summary>
    public string Name { get; set; } = "";

    /// <summary>The operator, for example <c>Conv</c>.</summary>
    public string OpType { get; set; } = "";

    /// <summary>The operator's domain; empty (or <c>ai.onnx</c>) for standard operators.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The attributes.</summary>
    public List<OnnxAttribute> Attributes { get; } = [];

    /// <summary>Human-readable documentation.</summary>
    public string DocString { get; set; } = "";

    /// <summary>Creates a node of <paramref name="opType"/> reading <paramref name="inputs"/> and writing <paramref name="outputs"/>.</summary>
    public static OnnxNode Create(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params OnnxAttribute[] attributes)
    {
        var n = new OnnxNode { OpType = opType, Name = name };
        n.Inputs.AddRange(inputs);
        n.Outputs.AddRange(outputs);
        n.Attributes.AddRange(attributes);
        return n;
    }

    /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? FindAttribute(string name)
    {
        foreach (var a in Attributes)
            if (a.Name == name) return a;
        return null;
    }

    /// <summary>How errors describe the node: <c>(Conv 'conv1')</c>, <c>(Conv)</c> or <c>('conv1')</c>.</summary>
    public string Label => OpType.Length > 0
        ? (Name.Length > 0 ? $"({OpType} '{Name}')" : $"({OpType})")
        : (Name.Length > 0 ? $"('{Name}')" : "");

    /// <inheritdoc/>
    public override string ToString() =>
        $"{(OpType.Length > 0 ? OpType : "?")}{(Name.Length > 0 ? $" '{Name}'" : "")}({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})";

    internal static OnnxNode Read(ref ProtoReader r)
    {
        var n = new OnnxNode();
        try
        {
            while (r.TryReadTag(out int field, out var wt))
            {
                switch (field)
                {
                    case InputField: n.Inputs.Add(r.ReadString(wt, "input")); break;
                    case OutputField: n.Outputs.Add(r.ReadString(wt, "output")); break;
                    case NameField: n.Name = r.ReadString(wt, "name"); break;
                    case OpTypeField: n.OpType = r.ReadString(wt, "op_type"); break;
                    case AttributeField:
                        try
                        {
                            var sub = r.ReadMessage(wt, "attribute");
                            n.Attributes.Add(OnnxAttribute.Read(ref sub));
                        }
                        catch (OnnxFormatException e)
                        {
                            throw e.Within($"attribute[{n.Attributes.Count}]");
                        }
                        break;
                    case DocStringField: n.DocString = r.ReadString(wt, "doc_string"); break;
                    case DomainField: n.Domain = r.ReadString(wt, "domain"); break;
                    default: r.SkipField(wt); break;
                }
            }
        }
        catch (OnnxFormatException e) when (n.Label.Length > 0)
        {
            throw e.Within(n.Label);
        }
        return n;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        foreach (var i in Inputs) w.WriteString(InputField, i);
        foreach (var o in Outputs) w.WriteString(OutputField, o);
        if (Name.Length > 0) w.WriteString(NameField, Name);
        if (OpType.Length > 0) w.WriteString(OpTypeField, OpType);
        foreach (var a in Attributes) a.Write(w, AttributeField);
        if (DocString.Length > 0) w.WriteString(DocStringField, DocString);
        if (Domain.Length > 0) w.WriteString(DomainField, Domain);
        w.EndMessage(mark);
    }
}
