namespace NetFromScratch.Onnx;

/// <summary>Sizes and names of <see cref="OnnxDataType"/> values.</summary>
public static class OnnxDataTypes
{
    /// <summary>Bits one element takes in <c>raw_data</c>, or 0 for strings, undefined and unknown types.</summary>
    public static int BitsPerElement(OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 32,
        OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 or OnnxDataType.Complex64 => 64,
        OnnxDataType.Complex128 => 128,
        OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Int16 or OnnxDataType.UInt16 => 16,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool
            or OnnxDataType.Float8E4M3FN or OnnxDataType.Float8E4M3FNUZ or OnnxDataType.Float8E5M2
            or OnnxDataType.Float8E5M2FNUZ or OnnxDataType.Float8E8M0 => 8,
        OnnxDataType.UInt4 or OnnxDataType.Int4 or OnnxDataType.Float4E2M1 => 4,
        _ => 0,
    };

    /// <summary>
    /// Bytes that <paramref name="elements"/> elements take in <c>raw_data</c> (4-bit types round up to whole bytes),
    /// or -1 when the type has no fixed size.
    /// </summary>
    public static long RawByteCount(OnnxDataType type, long elements)
    {
        int bits = BitsPerElement(type);
        if (bits == 0) return -1;
        if (bits == 4) return elements / 2 + elements % 2;
        // Saturate rather than wrap: a wrapped product could match a small corrupt raw_data by accident.
        int bytes = bits / 8;
        return elements > long.MaxValue / bytes ? long.MaxValue : elements * bytes;
    }

    /// <summary>True for the types whose values convert to float32 (<see cref="OnnxTensor.ToFloatArray"/>).</summary>
    public static bool IsNumeric(OnnxDataType type) => type is OnnxDataType.Float or OnnxDataType.Double
        or OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Bool
        or OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Int16 or OnnxDataType.UInt16
        or OnnxDataType.Int32 or OnnxDataType.UInt32 or OnnxDataType.Int64 or OnnxDataType.UInt64;

    /// <summary>The name ONNX uses for a type (<c>FLOAT</c>, <c>INT64</c>, ...), or the number when it is unknown.</summary>
    public static string Name(OnnxDataType type) => type switch
    {
        OnnxDataType.Undefined => "UNDEFINED",
        OnnxDataType.Float => "FLOAT",
        OnnxDataType.UInt8 => "UINT8",
        OnnxDataType.Int8 => "INT8",
        OnnxDataType.UInt16 => "UINT16",
        OnnxDataType.Int16 => "INT16",
        OnnxDataType.Int32 => "INT32",
        OnnxDataType.Int64 => "INT64",
        OnnxDataType.String => "STRING",
        OnnxDataType.Bool => "BOOL",
        OnnxDataType.Float16 => "FLOAT16",
        OnnxDataType.Double => "DOUBLE",
        OnnxDataType.UInt32 => "UINT32",
        OnnxDataType.UInt64 => "UINT64",
        OnnxDataType.Complex64 => "COMPLEX64",
        OnnxDataType.Complex128 => "COMPLEX128",
        OnnxDataType.BFloat16 => "BFLOAT16",
        OnnxDataType.Float8E4M3FN => "FLOAT8E4M3FN",
        OnnxDataType.Float8E4M3FNUZ => "FLOAT8E4M3FNUZ",
        OnnxDataType.Float8E5M2 => "FLOAT8E5M2",
        OnnxDataType.Float8E5M2FNUZ => "FLOAT8E5M2FNUZ",
        OnnxDataType.UInt4 => "UINT4",
        OnnxDataType.Int4 => "INT4",
        OnnxDataType.Float4E2M1 => "FLOAT4E2M1",
        OnnxDataType.Float8E8M0 => "FLOAT8E8M0",
        _ => $"data type {(int)type}",
    };
}
