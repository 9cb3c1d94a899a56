using System.Text;
using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// A named node attribute (<c>AttributeProto</c>): exactly one value, which <see cref="Type"/> says where to find.
/// Files from IR version 1 carry no type; the reader infers it from the field that is present.
/// </summary>
public sealed class OnnxAttribute
{
    private const int NameField = 1;
    private const int FField = 2;
    private const int IField = 3;
    private const int SField = 4;
    private const int TField = 5;
    private const int GField = 6;
    private const int FloatsField = 7;
    private const int IntsField = 8;
    private const int StringsField = 9;
    private const int TensorsField = 10;
    private const int GraphsField = 11;
    private const int DocStringField = 13;
    private const int TypeField = 20;
    private const int RefAttrNameField = 21;

    /// <summary>The attribute's name (for example <c>kernel_shape</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>Which value is in use.</summary>
    public OnnxAttributeType Type { get; set; }

    /// <summary>The value of a FLOAT attribute.</summary>
    public float F { get; set; }

    /// <summary>The value of an INT attribute.</summary>
    public long I { get; set; }

    /// <summary>The value of a STRING attribute, as bytes (usually UTF-8; see <see cref="StringValue"/>).</summary>
    public byte[] S { get; set; } = [];

    /// <summary>The value of a TENSOR attribute.</summary>
    public OnnxTensor? T { get; set; }

    /// <summary>The value of a GRAPH attribute (a control-flow body).</summary>
    public OnnxGraph? G { get; set; }

    /// <summary>The values of a FLOATS attribute.</summary>
    public List<float> Floats { get; } = [];

    /// <summary>The values of an INTS attribute.</summary>
    public List<long> Ints { get; } = [];

    /// <summary>The values of a STRINGS attribute.</summary>
    public List<byte[]> Strings { get; } = [];

    /// <summary>The values of a TENSORS attribute.</summary>
    public List<OnnxTensor> Tensors { get; } = [];

    /// <summary>The values of a GRAPHS attribute.</summary>
    public List<OnnxGraph> Graphs { get; } = [];

    /// <summary>Human-readable documentation.</summary>
    public string DocString { get; set; } = "";

    /// <summary>In a function body: the name of the caller's attribute this one refers to.</summary>
    public string RefAttrName { get; set; } = "";

    /// <summary><see cref="S"/> decoded as UTF-8.</summary>
    public string StringValue => Encoding.UTF8.GetString(S);

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute FromFloat(string name, float value) => new() { Name = name, Type = OnnxAttributeType.Float, F = value };

    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute FromInt(string name, long value) => new() { Name = name, Type = OnnxAttributeType.Int, I = value };

    /// <summary>A STRING attribute holding UTF-8 text.</summary>
    public static OnnxAttribute FromString(string name, string value) =>
        new() { Name = name, Type = OnnxAttributeType.String, S = Encoding.UTF8.GetBytes(value) };

    /// <summary>A TENSOR attribute.</summary>
    public static OnnxAttribute FromTensor(string name, OnnxTensor value) => new() { Name = name, Type = OnnxAttributeType.Tensor, T = value };

    /// <summary>A GRAPH attribute.</summary>
    public static OnnxAttribute FromGraph(string name, OnnxGraph value) => new() { Name = name, Type = OnnxAttributeType.Graph, G = value };

    /// <summary>A FLOATS attribute.</summary>
    public static OnnxAttribute FromFloats(string name, params float[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttribute FromInts(string name, params long[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A STRINGS attribute holding UTF-8 texts.</summary>
    public static OnnxAttribute FromStrings(string name, params string[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Strings };
        foreach (var v in values) a.Strings.Add(Encoding.UTF8.GetBytes(v));
        return a;
    }

    /// <summary>The attribute as <c>name=value</c>, briefly.</summary>
    public override string ToString() => Type switch
    {
        OnnxAttributeType.Float => $"{Name}={F}",
        OnnxAttributeType.Int => $"{Name}={I}",
        OnnxAttributeType.String => $"{Name}='{StringValue}'",
        OnnxAttributeType.Floats => $"{Name}=[{string.Join(", ", Floats)}]",
        OnnxAttributeType.Ints => $"{Name}=[{string.Join(", ", Ints)}]",
        OnnxAttributeType.Tensor => $"{Name}=tensor {T}",
        _ => $"{Name} ({Type})",
    };

    internal static OnnxAttribute Read(ref ProtoReader r)
    {
        var a = new OnnxAttribute();
        bool hasF = false, hasI = false, hasS = false;
        try
        {
            while (r.TryReadTag(out int field, out var wt))
            {
                switch (field)
                {
                    case NameField: a.Name = r.ReadString(wt, "name"); break;
                    case FField: a.F = r.ReadFloat(wt, "f"); hasF = true; break;
                    case IField: a.I = r.ReadInt64(wt, "i"); hasI = true; break;
                    case SField: a.S = r.ReadBytes(wt, "s"); hasS = true; break;
                    case TField: a.T = ReadTensor(ref r, wt, "t"); break;
                    case GField: a.G = ReadGraph(ref r, wt, "g"); break;
                    case FloatsField: r.ReadRepeatedFloat(wt, a.Floats, "floats"); break;
                    case IntsField: r.ReadRepeatedInt64(wt, a.Ints, "ints"); break;
                    case StringsField: a.Strings.Add(r.ReadBytes(wt, "strings")); break;
                    case TensorsField: a.Tensors.Add(ReadTensor(ref r, wt, $"tensors[{a.Tensors.Count}]")); break;
                    case GraphsField: a.Graphs.Add(ReadGraph(ref r, wt, $"graphs[{a.Graphs.Count}]")); break;
                    case DocStringField: a.DocString = r.ReadString(wt, "doc_string"); break;
                    case TypeField: a.Type = (OnnxAttributeType)r.ReadInt32(wt, "type"); break;
                    case RefAttrNameField: a.RefAttrName = r.ReadString(wt, "ref_attr_name"); break;
                    default: r.SkipField(wt); break;
                }
            }
        }
        catch (OnnxFormatException e) when (a.Name.Length > 0)
        {
            throw e.Within($"'{a.Name}'");
        }
        if (a.Type == OnnxAttributeType.Undefined)
            a.Type = hasF ? OnnxAttributeType.Float
                : hasI ? OnnxAttributeType.Int
                : hasS ? OnnxAttributeType.String
                : a.T is not null ? OnnxAttributeType.Tensor
                : a.G is not null ? OnnxAttributeType.Graph
                : a.Floats.Count > 0 ? OnnxAttributeType.Floats
                : a.Ints.Count > 0 ? OnnxAttributeType.Ints
                : a.Strings.Count > 0 ? OnnxAttributeType.Strings
                : a.Tensors.Count > 0 ? OnnxAttributeType.Tensors
                : a.Graphs.Count > 0 ? OnnxAttributeType.Graphs
                : OnnxAttributeType.Undefined;
        return a;
    }

    private static OnnxTensor ReadTensor(ref ProtoReader r, ProtoWireType wt, string fieldName)
    {
        try
        {
            var sub = r.ReadMessage(wt, fieldName);
            return OnnxTensor.Read(ref sub);
        }
        catch (OnnxFormatException e)
        {
            throw e.Within(fieldName);
        }
    }

    private static OnnxGraph ReadGraph(ref ProtoReader r, ProtoWireType wt, string fieldName)
    {
        try
        {
            var sub = r.ReadMessage(wt, fieldName);
            return OnnxGraph.Read(ref sub);
        }
        catch (OnnxFormatException e)
        {
            throw e.Within(fieldName);
        }
    }

    // Scalars are written when the type says they are the value (0 and 0.0 included); lists whenever they hold items.
    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        bool untyped = Type == OnnxAttributeType.Undefined;
        if (Name.Length > 0) w.WriteString(NameField, Name);
        if (Type == OnnxAttributeType.Float || (untyped && F != 0)) w.WriteFloat(FField, F);
        if (Type == OnnxAttributeType.Int || (untyped && I != 0)) w.WriteInt64(IField, I);
        if (Type == OnnxAttributeType.String || S.Length > 0) w.WriteBytes(SField, S);
        T?.Write(w, TField);
        G?.Write(w, GField);
        foreach (float f in Floats) w.WriteFloat(FloatsField, f);
        foreach (long i in Ints) w.WriteInt64(IntsField, i);
        foreach (var s in Strings) w.WriteBytes(StringsField, s);
        foreach (var t in Tensors) t.Write(w, TensorsField);
        foreach (var g in Graphs) g.Write(w, GraphsField);
        if (DocString.Length > 0) w.WriteString(DocStringField, DocString);
        if (!untyped) w.WriteInt32(TypeField, (int)Type);
        if (RefAttrName.Length > 0) w.WriteString(RefAttrNameField, RefAttrName);
        w.EndMessage(mark);
    }
}
