using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// A sparse tensor (<c>SparseTensorProto</c>): the non-zero <see cref="Values"/> (shape <c>[NNZ]</c>), their
/// <see cref="Indices"/> (<c>[NNZ, rank]</c> or linearised <c>[NNZ]</c>), and the dense <see cref="Dims"/>.
/// Kept for round trips and inspection; the importer does not densify them.
/// </summary>
public sealed class OnnxSparseTensor
{
    private const int ValuesField = 1;
    private const int IndicesField = 2;
    private const int DimsField = 3;

    /// <summary>The non-default values; its name names the sparse tensor.</summary>
    public OnnxTensor? Values { get; set; }

    /// <summary>The positions of the values.</summary>
    public OnnxTensor? Indices { get; set; }

    /// <summary>The shape of the dense tensor.</summary>
    public List<long> Dims { get; } = [];

    /// <summary>The name (that of <see cref="Values"/>).</summary>
    public string Name => Values?.Name ?? "";

    internal static OnnxSparseTensor Read(ref ProtoReader r)
    {
        var s = new OnnxSparseTensor();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case ValuesField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "values");
                        s.Values = OnnxTensor.Read(ref sub);
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within("values");
                    }
                    break;
                case IndicesField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "indices");
                        s.Indices = OnnxTensor.Read(ref sub);
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within("indices");
                    }
                    break;
                case DimsField: r.ReadRepeatedInt64(wt, s.Dims, "dims"); break;
                default: r.SkipField(wt); break;
            }
        }
        return s;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        Values?.Write(w, ValuesField);
        Indices?.Write(w, IndicesField);
        foreach (long d in Dims) w.WriteInt64(DimsField, d);
        w.EndMessage(mark);
    }
}
