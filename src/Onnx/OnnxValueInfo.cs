using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>A named graph value with its type (<c>ValueInfoProto</c>): a graph input, output or intermediate.</summary>
public sealed class OnnxValueInfo
{
    private const int NameField = 1;
    private const int TypeField = 2;
    private const int DocStringField = 3;

    /// <summary>The value's name, as nodes refer to it.</summary>
    public string Name { get; set; } = "";

    /// <summary>The value's type, or null when not declared.</summary>
    public OnnxType? Type { get; set; }

    /// <summary>Human-readable documentation.</summary>
    public string DocString { get; set; } = "";

    /// <summary>A tensor value (see <see cref="OnnxType.Tensor"/> for the dimensions).</summary>
    public static OnnxValueInfo Tensor(string name, OnnxDataType elemType, params object[] dims) =>
        new() { Name = name, Type = OnnxType.Tensor(elemType, dims) };

    /// <summary>The value as <c>name: FLOAT [batch, 10]</c>.</summary>
    public override string ToString() => $"{Name}: {Type?.ToString() ?? "(no type)"}";

    internal static OnnxValueInfo Read(ref ProtoReader r)
    {
        var v = new OnnxValueInfo();
        try
        {
            while (r.TryReadTag(out int field, out var wt))
            {
                switch (field)
                {
                    case NameField: v.Name = r.ReadString(wt, "name"); break;
                    case TypeField:
                        try
                        {
                            var sub = r.ReadMessage(wt, "type");
                            v.Type = OnnxType.Read(ref sub);
                        }
                        catch (OnnxFormatException e)
                        {
                            throw e.Within("type");
                        }
                        break;
                    case DocStringField: v.DocString = r.ReadString(wt, "doc_string"); break;
                    default: r.SkipField(wt); break;
                }
            }
        }
        catch (OnnxFormatException e) when (v.Name.Length > 0)
        {
            throw e.Within($"'{v.Name}'");
        }
        return v;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        if (Name.Length > 0) w.WriteString(NameField, Name);
        Type?.Write(w, TypeField);
        if (DocString.Length > 0) w.WriteString(DocStringField, DocString);
        w.EndMessage(mark);
    }
}
