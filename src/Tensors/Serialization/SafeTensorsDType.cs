namespace NetFromScratch.Tensors.Serialization;

/// <summary>
/// Element types of the safetensors format that this reader converts to float32. Files written here use F32 only.
/// </summary>
public static class SafeTensorsDType
{
    /// <summary>Bytes per element of a dtype name, or 0 when the name is not supported.</summary>
    public static int SizeOf(string dtype) => dtype switch
    {
        "F32" or "I32" or "U32" => 4,
        "F64" or "I64" or "U64" => 8,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    /// <summary>Converts <c>destination.Length</c> little-endian elements of <paramref name="dtype"/> to float32.</summary>
    public static void ToFloat(string dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int n = destination.Length;
        switch (dtype)
        {
            case "F32":
                for (int i = 0; i < n; i++) destination[i] = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]));
                break;
            case "F64":
                for (int i = 0; i < n; i++) destination[i] = (float)System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < n; i++) destination[i] = (float)BitConverter.UInt16BitsToHalf(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                break;
            case "BF16":
                for (int i = 0; i < n; i++) destination[i] = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
            case "I64":
                for (int i = 0; i < n; i++) destination[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(source[(8 * i)..]);
                break;
            case "U64":
                for (int i = 0; i < n; i++) destination[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(source[(8 * i)..]);
                break;
            case "I32":
                for (int i = 0; i < n; i++) destination[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]);
                break;
            case "U32":
                for (int i = 0; i < n; i++) destination[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source[(4 * i)..]);
                break;
            case "I16":
                for (int i = 0; i < n; i++) destination[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]);
                break;
            case "U16":
                for (int i = 0; i < n; i++) destination[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]);
                break;
            case "I8":
                for (int i = 0; i < n; i++) destination[i] = (sbyte)source[i];
                break;
            case "U8":
            case "BOOL":
                for (int i = 0; i < n; i++) destination[i] = source[i];
                break;
            default:
                throw new NotSupportedException($"dtype {dtype} is not supported.");
        }
    }
}
