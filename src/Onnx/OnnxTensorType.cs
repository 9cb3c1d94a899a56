using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>The type of a tensor value (<c>TypeProto.Tensor</c>): element type and, when declared, shape.</summary>
public sealed class OnnxTensorType
{
    private const int ElemTypeField = 1;
    private const int ShapeField = 2;

    /// <summary>The element type.</summary>
    public OnnxDataType ElemType { get; set; }

    /// <summary>The declared shape, or null when even the rank is unknown.</summary>
    public OnnxTensorShape? Shape { get; set; }

    /// <summary>The type as <c>FLOAT [batch, 10]</c>.</summary>
    public override string ToString() => OnnxDataTypes.Name(ElemType) + " " + (Shape?.ToString() ?? "(unknown shape)");

    internal static OnnxTensorType Read(ref ProtoReader r)
    {
        var t = new OnnxTensorType();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case ElemTypeField: t.ElemType = (OnnxDataType)r.ReadInt32(wt, "elem_type"); break;
                case ShapeField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "shape");
                        t.Shape = OnnxTensorShape.Read(ref sub);
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within("shape");
                    }
                    break;
                default: r.SkipField(wt); break;
            }
        }
        return t;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        if (ElemType != OnnxDataType.Undefined) w.WriteInt32(ElemTypeField, (int)ElemType);
        Shape?.Write(w, ShapeField);
        w.EndMessage(mark);
    }
}
