using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// The element range a chunked tensor message holds (<c>TensorProto.Segment</c>). Kept for round trips; tensors split
/// into segments are not converted.
/// </summary>
public sealed class OnnxTensorSegment
{
    private const int BeginField = 1;
    private const int EndField = 2;

    /// <summary>First element held.</summary>
    public long Begin { get; set; }

    /// <summary>One past the last element held.</summary>
    public long End { get; set; }

    internal static OnnxTensorSegment Read(ref ProtoReader r)
    {
        var s = new OnnxTensorSegment();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case BeginField: s.Begin = r.ReadInt64(wt, "begin"); break;
                case EndField: s.End = r.ReadInt64(wt, "end"); break;
                default: r.SkipField(wt); break;
            }
        }
        return s;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        w.WriteInt64(BeginField, Begin);
        w.WriteInt64(EndField, End);
        w.EndMessage(mark);
    }
}
