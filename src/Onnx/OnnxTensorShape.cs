using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>A declared tensor shape (<c>TensorShapeProto</c>): its dimensions, outermost first.</summary>
public sealed class OnnxTensorShape
{
    private const int DimField = 1;

    /// <summary>The dimensions; empty for a scalar.</summary>
    public List<OnnxDimension> Dims { get; } = [];

    /// <summary>The shape as <c>[batch, 3, 224, 224]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Dims) + "]";

    internal static OnnxTensorShape Read(ref ProtoReader r)
    {
        var s = new OnnxTensorShape();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case DimField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "dim");
                        s.Dims.Add(OnnxDimension.Read(ref sub));
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within($"dim[{s.Dims.Count}]");
                    }
                    break;
                default: r.SkipField(wt); break;
            }
        }
        return s;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        foreach (var d in Dims) d.Write(w, DimField);
        w.EndMessage(mark);
    }
}
