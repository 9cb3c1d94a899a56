using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx;

public sealed partial class OnnxTensor
{
    /// <summary>Number of elements <see cref="Dims"/> describes (1 for a scalar).</summary>
    /// <exception cref="OnnxFormatException">A dimension is negative or the count overflows 64 bits.</exception>
    public long ElementCount => TryElementCount(out long n, out string? problem) ? n : throw Labelled(Error(problem!));

    /// <summary>A FLOAT tensor holding <paramref name="values"/> (row-major) as raw data.</summary>
    /// <exception cref="ArgumentException">The number of values differs from the element count of <paramref name="dims"/>.</exception>
    public static OnnxTensor FromFloats(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        var t = Create(name, OnnxDataType.Float, dims, values.Length);
        var raw = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        t.RawData = raw;
        return t;
    }

    /// <summary>An INT64 tensor holding <paramref name="values"/> (row-major) as raw data.</summary>
    /// <exception cref="ArgumentException">The number of values differs from the element count of <paramref name="dims"/>.</exception>
    public static OnnxTensor FromInt64s(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> values)
    {
        var t = Create(name, OnnxDataType.Int64, dims, values.Length);
        var raw = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        t.RawData = raw;
        return t;
    }

    /// <summary>A FLOAT tensor with the shape and values of <paramref name="tensor"/> (on any device).</summary>
    /// <remarks>Shape: any; the ONNX dims equal <c>tensor.Shape</c>.</remarks>
    public static OnnxTensor FromTensor(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dims = new long[tensor.Shape.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = tensor.Shape[i];
        return FromFloats(name, dims, tensor.ToArray());
    }

    /// <summary>The elements converted to float32, row-major.</summary>
    /// <exception cref="OnnxFormatException">The data size disagrees with dims, or external data was not loaded.</exception>
    /// <exception cref="NotSupportedException">The element type is not numeric (STRING, COMPLEX, 8-bit and 4-bit floats, 4-bit integers).</exception>
    public float[] ToFloatArray()
    {
        int n = CheckConvertible();
        if (!OnnxDataTypes.IsNumeric(DataType))
            throw new NotSupportedException($"{Source}: tensor '{Name}': element type {OnnxDataTypes.Name(DataType)} cannot be converted to float32.");
        var result = new float[n];
        if (n == 0) return result;
        if (RawData is not null)
        {
            RawToFloat(DataType, RawData, result);
            return result;
        }
        switch (DataType)
        {
            case OnnxDataType.Float: CollectionsMarshal.AsSpan(FloatData).CopyTo(result); break;
            case OnnxDataType.Double: for (int i = 0; i < n; i++) result[i] = (float)DoubleData[i]; break;
            case OnnxDataType.Int64: for (int i = 0; i < n; i++) result[i] = Int64Data[i]; break;
            case OnnxDataType.UInt32 or OnnxDataType.UInt64: for (int i = 0; i < n; i++) result[i] = UInt64Data[i]; break;
            case OnnxDataType.Float16: for (int i = 0; i < n; i++) result[i] = (float)BitConverter.UInt16BitsToHalf((ushort)Int32Data[i]); break;
            case OnnxDataType.BFloat16: for (int i = 0; i < n; i++) result[i] = BitConverter.Int32BitsToSingle(Int32Data[i] << 16); break;
            case OnnxDataType.Bool: for (int i = 0; i < n; i++) result[i] = Int32Data[i] != 0 ? 1f : 0f; break;
            default: for (int i = 0; i < n; i++) result[i] = Int32Data[i]; break; // INT8/UINT8/INT16/UINT16/INT32 hold values as is
        }
        return result;
    }

    /// <summary>The elements as 64-bit integers (for shapes, axes and indices), row-major. UINT64 values above <see cref="long.MaxValue"/> wrap.</summary>
    /// <exception cref="OnnxFormatException">The data size disagrees with dims, or external data was not loaded.</exception>
    /// <exception cref="NotSupportedException">The element type is not an integer or BOOL type.</exception>
    public long[] ToInt64Array()
    {
        int n = CheckConvertible();
        if (DataType is not (OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8
            or OnnxDataType.UInt64 or OnnxDataType.UInt32 or OnnxDataType.UInt16 or OnnxDataType.UInt8 or OnnxDataType.Bool))
            throw new NotSupportedException($"{Source}: tensor '{Name}': element type {OnnxDataTypes.Name(DataType)} is not an integer type.");
        var result = new long[n];
        if (n == 0) return result;
        if (RawData is not null)
        {
            var raw = RawData.AsSpan();
            switch (DataType)
            {
                case OnnxDataType.Int64: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]); break;
                case OnnxDataType.UInt64: for (int i = 0; i < n; i++) result[i] = (long)BinaryPrimitives.ReadUInt64LittleEndian(raw[(8 * i)..]); break;
                case OnnxDataType.Int32: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]); break;
                case OnnxDataType.UInt32: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * i)..]); break;
                case OnnxDataType.Int16: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]); break;
                case OnnxDataType.UInt16: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]); break;
                case OnnxDataType.Int8: for (int i = 0; i < n; i++) result[i] = (sbyte)raw[i]; break;
                case OnnxDataType.Bool: for (int i = 0; i < n; i++) result[i] = raw[i] != 0 ? 1 : 0; break;
                default: for (int i = 0; i < n; i++) result[i] = raw[i]; break; // UINT8
            }
            return result;
        }
        switch (DataType)
        {
            case OnnxDataType.Int64: CollectionsMarshal.AsSpan(Int64Data).CopyTo(result); break;
            case OnnxDataType.UInt64 or OnnxDataType.UInt32: for (int i = 0; i < n; i++) result[i] = (long)UInt64Data[i]; break;
            case OnnxDataType.Bool: for (int i = 0; i < n; i++) result[i] = Int32Data[i] != 0 ? 1 : 0; break;
            default: for (int i = 0; i < n; i++) result[i] = Int32Data[i]; break;
        }
        return result;
    }

    /// <summary>The elements as a float32 <see cref="Tensor"/> on <paramref name="device"/> (CPU by default).</summary>
    /// <remarks>Shape: <see cref="Dims"/>.</remarks>
    /// <exception cref="OnnxFormatException">A dimension exceeds <see cref="int.MaxValue"/>, or as for <see cref="ToFloatArray"/>.</exception>
    public Tensor ToTensor(Device? device = null)
    {
        var values = ToFloatArray();
        var dims = new int[Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            // A zero elsewhere keeps the element count small, so a single dimension can still be too large.
            if (Dims[i] > int.MaxValue)
                throw Labelled(Error($"dimension {i} of dims {DimsText()} exceeds {int.MaxValue}, the largest a Tensor dimension can be."));
            dims[i] = (int)Dims[i];
        }
        return Tensor.FromArray(values, new Shape(dims), device);
    }

    /// <summary>Checks that the data agrees with dims and element type, as reading does.</summary>
    /// <exception cref="OnnxFormatException">It does not; the message names the tensor, the source and its offset.</exception>
    public void Validate()
    {
        try
        {
            CheckData();
        }
        catch (OnnxFormatException e)
        {
            throw Labelled(e);
        }
    }

    // The element count as an array length, after checking that the data is present, consistent and in memory.
    private int CheckConvertible()
    {
        try
        {
            CheckData();
            if (DataLocation == OnnxDataLocation.External)
            {
                string location = ExternalData.FirstOrDefault(e => e.Key == "location").Value ?? "(no location)";
                throw Error($"its data lives in the external file '{location}', which was not loaded: read the model with OnnxModel.Load(path), or give OnnxModel.Parse the model's directory.");
            }
            if (Segment is not null)
                throw Error($"it holds only the segment [{Segment.Begin}, {Segment.End}) of a chunked tensor, which is not supported.");
            long n = ElementCount;
            if (n > Array.MaxLength)
                throw Error($"its {n} elements exceed the largest array .NET can hold ({Array.MaxLength}).");
            return (int)n;
        }
        catch (OnnxFormatException e) when (e.MessagePath.Length == 0)
        {
            throw Labelled(e);
        }
    }

    /// <summary>
    /// Checks that exactly one place holds the data and that its size matches dims and element type. Throws with an empty
    /// message path: the reader adds the tensor's place in the model.
    /// </summary>
    internal void CheckData()
    {
        if (!TryElementCount(out long numel, out string? problem)) throw Error(problem!);
        if (DataLocation is not (OnnxDataLocation.Default or OnnxDataLocation.External))
            throw Error($"data_location {(int)DataLocation} is neither DEFAULT (0) nor EXTERNAL (1).");
        if (DataLocation == OnnxDataLocation.External || Segment is not null) return;

        string type = OnnxDataTypes.Name(DataType);
        string shape = DimsText();
        var present = new List<string>(1);
        if (RawData is not null) present.Add("raw_data");
        if (FloatData.Count > 0) present.Add("float_data");
        if (Int32Data.Count > 0) present.Add("int32_data");
        if (StringData.Count > 0) present.Add("string_data");
        if (Int64Data.Count > 0) present.Add("int64_data");
        if (DoubleData.Count > 0) present.Add("double_data");
        if (UInt64Data.Count > 0) present.Add("uint64_data");
        if (present.Count > 1)
            throw Error($"holds data in both {present[0]} and {present[1]}; exactly one place is allowed.");
        if (present.Count == 0)
        {
            // An empty message (no type, no data) says nothing wrong; converting it fails later with a clear error.
            if (numel == 0 || DataType == OnnxDataType.Undefined) return;
            throw Error($"holds no data, but dims {shape} of {type} need {numel} elements.");
        }
        if (DataType == OnnxDataType.Undefined)
            throw Error($"holds data in {present[0]} but its data_type is UNDEFINED (0).");

        if (RawData is not null)
        {
            long bytes = OnnxDataTypes.RawByteCount(DataType, numel);
            if (bytes < 0)
                throw Error($"raw_data cannot hold {type} elements.");
            if (RawData.Length != bytes)
                throw Error($"raw_data holds {RawData.Length} bytes but dims {shape} of {type} need {bytes} ({numel} elements of {OnnxDataTypes.BitsPerElement(DataType)} bits).");
            return;
        }

        bool fourBit = DataType is OnnxDataType.UInt4 or OnnxDataType.Int4 or OnnxDataType.Float4E2M1;
        (int have, long need) = present[0] switch
        {
            "float_data" => (FloatData.Count, DataType switch
            {
                OnnxDataType.Float => numel,
                OnnxDataType.Complex64 => Pairs(numel),
                _ => -1,
            }),
            "int32_data" => (Int32Data.Count, DataType switch
            {
                OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8 or OnnxDataType.UInt16 or OnnxDataType.UInt8
                    or OnnxDataType.Bool or OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Float8E4M3FN
                    or OnnxDataType.Float8E4M3FNUZ or OnnxDataType.Float8E5M2 or OnnxDataType.Float8E5M2FNUZ
                    or OnnxDataType.Float8E8M0 => numel,
                _ when fourBit => numel / 2 + numel % 2,
                _ => -1,
            }),
            "string_data" => (StringData.Count, DataType == OnnxDataType.String ? numel : -1),
            "int64_data" => (Int64Data.Count, DataType == OnnxDataType.Int64 ? numel : -1),
            "double_data" => (DoubleData.Count, DataType switch
            {
                OnnxDataType.Double => numel,
                OnnxDataType.Complex128 => Pairs(numel),
                _ => -1,
            }),
            _ => (UInt64Data.Count, DataType is OnnxDataType.UInt32 or OnnxDataType.UInt64 ? numel : -1),
        };
        if (need < 0)
            throw Error($"holds data in {present[0]}, which cannot hold {type} elements.");
        if (have != need)
            throw Error($"holds {have} values in {present[0]} but dims {shape} of {type} need {need}.");
    }

    // Complex values are stored as (real, imaginary) pairs; saturate instead of wrapping.
    private static long Pairs(long numel) => numel > long.MaxValue / 2 ? long.MaxValue : 2 * numel;

    private bool TryElementCount(out long count, out string? problem)
    {
        count = 1;
        problem = null;
        bool empty = false;
        for (int i = 0; i < Dims.Count; i++)
        {
            if (Dims[i] < 0)
            {
                problem = $"dimension {i} of dims {DimsText()} is negative.";
                return false;
            }
            empty |= Dims[i] == 0;
        }
        if (empty)
        {
            count = 0;
            return true;
        }
        foreach (long d in Dims)
        {
            if (count > long.MaxValue / d)
            {
                problem = $"dims {DimsText()} describe more than {long.MaxValue} elements.";
                return false;
            }
            count *= d;
        }
        return true;
    }

    private static void RawToFloat(OnnxDataType type, ReadOnlySpan<byte> raw, Span<float> result)
    {
        int n = result.Length;
        switch (type)
        {
            case OnnxDataType.Float:
                if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(raw).CopyTo(result);
                else for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                break;
            case OnnxDataType.Double: for (int i = 0; i < n; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]); break;
            case OnnxDataType.Float16: for (int i = 0; i < n; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]); break;
            case OnnxDataType.BFloat16: for (int i = 0; i < n; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16); break;
            case OnnxDataType.Int64: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]); break;
            case OnnxDataType.UInt64: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadUInt64LittleEndian(raw[(8 * i)..]); break;
            case OnnxDataType.Int32: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]); break;
            case OnnxDataType.UInt32: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * i)..]); break;
            case OnnxDataType.Int16: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]); break;
            case OnnxDataType.UInt16: for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]); break;
            case OnnxDataType.Int8: for (int i = 0; i < n; i++) result[i] = (sbyte)raw[i]; break;
            case OnnxDataType.Bool: for (int i = 0; i < n; i++) result[i] = raw[i] != 0 ? 1f : 0f; break;
            default: for (int i = 0; i < n; i++) result[i] = raw[i]; break; // UINT8
        }
    }

    private static OnnxTensor Create(string name, OnnxDataType type, ReadOnlySpan<long> dims, int valueCount)
    {
        var t = new OnnxTensor { Name = name, DataType = type };
        t.Dims.AddRange(dims);
        if (!t.TryElementCount(out long n, out string? problem) || n != valueCount)
            throw new ArgumentException($"OnnxTensor '{name}': {valueCount} values cannot fill dims {t.DimsText()}{(problem is null ? $" ({n} elements)" : ": " + problem)}.");
        return t;
    }

    private string DimsText() => "[" + string.Join(", ", Dims) + "]";

    internal OnnxFormatException Error(string problem) => new(Source, "", SourceOffset, problem);

    // An error raised outside the reader: say which tensor it is about.
    private OnnxFormatException Labelled(OnnxFormatException e) =>
        (Name.Length > 0 ? e.Within($"'{Name}'") : e).Within("tensor");
}
