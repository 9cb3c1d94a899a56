using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// A serialized tensor value (<c>TensorProto</c>): dims, element type, and the data in exactly one place — little-endian
/// <see cref="RawData"/>, one of the typed lists, or an external file (<see cref="DataLocation"/> and
/// <see cref="ExternalData"/>). Initializers (weights), constant attributes and ONNX test-data files all use it.
/// </summary>
/// <remarks>
/// Reading checks that the data size agrees with dims and element type, so a parsed tensor converts without surprises
/// (<see cref="ToFloatArray"/>, <see cref="ToInt64Array"/>, <see cref="ToTensor"/>).
/// </remarks>
public sealed partial class OnnxTensor
{
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int SegmentField = 3;
    private const int FloatDataField = 4;
    private const int Int32DataField = 5;
    private const int StringDataField = 6;
    private const int Int64DataField = 7;
    private const int NameField = 8;
    private const int RawDataField = 9;
    private const int DoubleDataField = 10;
    private const int UInt64DataField = 11;
    private const int DocStringField = 12;
    private const int ExternalDataField = 13;
    private const int DataLocationField = 14;

    /// <summary>The shape, outermost first; empty for a scalar.</summary>
    public List<long> Dims { get; } = [];

    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; set; }

    /// <summary>The element range held, for tensors split into chunks (rare; not converted).</summary>
    public OnnxTensorSegment? Segment { get; set; }

    /// <summary>FLOAT (or COMPLEX64 as pairs) values.</summary>
    public List<float> FloatData { get; } = [];

    /// <summary>INT32, INT16, INT8, UINT16, UINT8, BOOL values, and FLOAT16/BFLOAT16/8-bit/4-bit types as bit patterns.</summary>
    public List<int> Int32Data { get; } = [];

    /// <summary>STRING values (each a UTF-8 byte string).</summary>
    public List<byte[]> StringData { get; } = [];

    /// <summary>INT64 values.</summary>
    public List<long> Int64Data { get; } = [];

    /// <summary>The tensor's name (the graph value it defines, for an initializer).</summary>
    public string Name { get; set; } = "";

    /// <summary>Elements as fixed-width little-endian bytes, or null when the data lies elsewhere.</summary>
    public byte[]? RawData { get; set; }

    /// <summary>DOUBLE (or COMPLEX128 as pairs) values.</summary>
    public List<double> DoubleData { get; } = [];

    /// <summary>UINT32 and UINT64 values.</summary>
    public List<ulong> UInt64Data { get; } = [];

    /// <summary>Human-readable documentation.</summary>
    public string DocString { get; set; } = "";

    /// <summary>
    /// Where external data lives: keys <c>location</c> (a path relative to the model's directory), <c>offset</c>,
    /// <c>length</c> (decimal byte counts) and <c>checksum</c>.
    /// </summary>
    public List<KeyValuePair<string, string>> ExternalData { get; } = [];

    /// <summary>Whether the data is inside the message or in an external file.</summary>
    public OnnxDataLocation DataLocation { get; set; }

    /// <summary>The file or model this tensor was read from (<c>(in memory)</c> when built in code); used in errors.</summary>
    public string Source { get; internal set; } = "(in memory)";

    /// <summary>Absolute byte offset of this tensor's message in <see cref="Source"/>, or -1 when built in code.</summary>
    public long SourceOffset { get; internal set; } = -1;

    /// <inheritdoc/>
    public override string ToString() => $"'{Name}' {OnnxDataTypes.Name(DataType)} [{string.Join(", ", Dims)}]";

    internal static OnnxTensor Read(ref ProtoReader r)
    {
        var t = new OnnxTensor { Source = r.Source, SourceOffset = r.BaseOffset };
        try
        {
            while (r.TryReadTag(out int field, out var wt))
            {
                switch (field)
                {
                    case DimsField: r.ReadRepeatedInt64(wt, t.Dims, "dims"); break;
                    case DataTypeField: t.DataType = (OnnxDataType)r.ReadInt32(wt, "data_type"); break;
                    case SegmentField:
                        try
                        {
                            var sub = r.ReadMessage(wt, "segment");
                            t.Segment = OnnxTensorSegment.Read(ref sub);
                        }
                        catch (OnnxFormatException e)
                        {
                            throw e.Within("segment");
                        }
                        break;
                    case FloatDataField: r.ReadRepeatedFloat(wt, t.FloatData, "float_data"); break;
                    case Int32DataField: r.ReadRepeatedInt32(wt, t.Int32Data, "int32_data"); break;
                    case StringDataField: t.StringData.Add(r.ReadBytes(wt, "string_data")); break;
                    case Int64DataField: r.ReadRepeatedInt64(wt, t.Int64Data, "int64_data"); break;
                    case NameField: t.Name = r.ReadString(wt, "name"); break;
                    case RawDataField: t.RawData = r.ReadBytes(wt, "raw_data"); break;
                    case DoubleDataField: r.ReadRepeatedDouble(wt, t.DoubleData, "double_data"); break;
                    case UInt64DataField: r.ReadRepeatedUInt64(wt, t.UInt64Data, "uint64_data"); break;
                    case DocStringField: t.DocString = r.ReadString(wt, "doc_string"); break;
                    case ExternalDataField: OnnxStringEntry.ReadInto(ref r, wt, t.ExternalData, "external_data"); break;
                    case DataLocationField: t.DataLocation = (OnnxDataLocation)r.ReadInt32(wt, "data_location"); break;
                    default: r.SkipField(wt); break;
                }
            }
            t.CheckData();
        }
        catch (OnnxFormatException e) when (t.Name.Length > 0)
        {
            throw e.Within($"'{t.Name}'");
        }
        return t;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        WriteFields(w);
        w.EndMessage(mark);
    }

    // Field order follows the field numbers, as protobuf's own writers do; dims is a plain (unpacked) repeated field
    // in onnx.proto while the *_data fields are declared packed.
    internal void WriteFields(ProtoWriter w)
    {
        foreach (long d in Dims) w.WriteInt64(DimsField, d);
        if (DataType != OnnxDataType.Undefined) w.WriteInt32(DataTypeField, (int)DataType);
        Segment?.Write(w, SegmentField);
        w.WritePackedFloat(FloatDataField, FloatData);
        w.WritePackedInt32(Int32DataField, Int32Data);
        foreach (var s in StringData) w.WriteBytes(StringDataField, s);
        w.WritePackedInt64(Int64DataField, Int64Data);
        if (Name.Length > 0) w.WriteString(NameField, Name);
        if (RawData is not null) w.WriteBytes(RawDataField, RawData);
        w.WritePackedDouble(DoubleDataField, DoubleData);
        w.WritePackedUInt64(UInt64DataField, UInt64Data);
        if (DocString.Length > 0) w.WriteString(DocStringField, DocString);
        OnnxStringEntry.Write(w, ExternalDataField, ExternalData);
        if (DataLocation != OnnxDataLocation.Default) w.WriteInt32(DataLocationField, (int)DataLocation);
    }
}
