using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// One dimension of a declared tensor shape (<c>TensorShapeProto.Dimension</c>): a fixed size, a symbolic name such as
/// <c>batch</c>, or neither (unknown).
/// </summary>
public sealed class OnnxDimension
{
    private const int DimValueField = 1;
    private const int DimParamField = 2;
    private const int DenotationField = 3;

    /// <summary>The fixed size, when known.</summary>
    public long? Value { get; set; }

    /// <summary>The symbolic name, when the size is a parameter.</summary>
    public string? Param { get; set; }

    /// <summary>Optional standard meaning of the dimension (for example <c>DATA_BATCH</c>).</summary>
    public string Denotation { get; set; } = "";

    /// <summary>A fixed-size dimension.</summary>
    public static OnnxDimension Fixed(long value) => new() { Value = value };

    /// <summary>A symbolic dimension.</summary>
    public static OnnxDimension Symbolic(string name) => new() { Param = name };

    /// <summary>The size, the symbolic name, or <c>?</c>.</summary>
    public override string ToString() => Value?.ToString() ?? Param ?? "?";

    internal static OnnxDimension Read(ref ProtoReader r)
    {
        var d = new OnnxDimension();
        while (r.TryReadTag(out int field, out var wt))
        {
            // dim_value and dim_param are a oneof: the last one read wins, as in protobuf.
            switch (field)
            {
                case DimValueField: d.Value = r.ReadInt64(wt, "dim_value"); d.Param = null; break;
                case DimParamField: d.Param = r.ReadString(wt, "dim_param"); d.Value = null; break;
                case DenotationField: d.Denotation = r.ReadString(wt, "denotation"); break;
                default: r.SkipField(wt); break;
            }
        }
        return d;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        if (Value is long v) w.WriteInt64(DimValueField, v);
        else if (Param is not null) w.WriteString(DimParamField, Param);
        if (Denotation.Length > 0) w.WriteString(DenotationField, Denotation);
        w.EndMessage(mark);
    }
}
