using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// The type of a graph value (<c>TypeProto</c>). Only tensor types are modelled; sequence, map, optional and sparse
/// types are skipped on read and leave <see cref="TensorType"/> null.
/// </summary>
public sealed class OnnxType
{
    private const int TensorTypeField = 1;
    private const int DenotationField = 6;

    /// <summary>The tensor type, or null when the value is not a (modelled) tensor.</summary>
    public OnnxTensorType? TensorType { get; set; }

    /// <summary>Optional standard meaning of the whole type (for example <c>IMAGE</c>).</summary>
    public string Denotation { get; set; } = "";

    /// <summary>A tensor type with fixed and symbolic dimensions (a string names a symbolic dimension, a number fixes it).</summary>
    public static OnnxType Tensor(OnnxDataType elemType, params object[] dims)
    {
        var shape = new OnnxTensorShape();
        foreach (var d in dims)
            shape.Dims.Add(d switch
            {
                string s => OnnxDimension.Symbolic(s),
                int i => OnnxDimension.Fixed(i),
                long l => OnnxDimension.Fixed(l),
                _ => throw new ArgumentException($"OnnxType.Tensor: a dimension must be a number or a name, not {d?.GetType().Name ?? "null"}."),
            });
        return new OnnxType { TensorType = new OnnxTensorType { ElemType = elemType, Shape = shape } };
    }

    /// <summary>The tensor type as text, or <c>(non-tensor type)</c>.</summary>
    public override string ToString() => TensorType?.ToString() ?? "(non-tensor type)";

    internal static OnnxType Read(ref ProtoReader r)
    {
        var t = new OnnxType();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case TensorTypeField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "tensor_type");
                        t.TensorType = OnnxTensorType.Read(ref sub);
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within("tensor_type");
                    }
                    break;
                case DenotationField: t.Denotation = r.ReadString(wt, "denotation"); break;
                default: r.SkipField(wt); break;
            }
        }
        return t;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        TensorType?.Write(w, TensorTypeField);
        if (Denotation.Length > 0) w.WriteString(DenotationField, Denotation);
        w.EndMessage(mark);
    }
}
