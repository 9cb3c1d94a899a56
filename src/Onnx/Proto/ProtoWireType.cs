namespace NetFromScratch.Onnx.Proto;

/// <summary>The protobuf wire types: the low three bits of every field tag say how the value is laid out.</summary>
public enum ProtoWireType
{
    /// <summary>A base-128 varint (int32, int64, uint64, bool, enum, sint via zigzag).</summary>
    Varint = 0,

    /// <summary>Eight little-endian bytes (fixed64, double).</summary>
    Fixed64 = 1,

    /// <summary>A varint byte length followed by that many bytes (string, bytes, messages, packed repeated scalars).</summary>
    LengthDelimited = 2,

    /// <summary>Start of a group (deprecated protobuf 2 feature; ONNX never uses it, the reader rejects it).</summary>
    StartGroup = 3,

    /// <summary>End of a group (rejected like <see cref="StartGroup"/>).</summary>
    EndGroup = 4,

    /// <summary>Four little-endian bytes (fixed32, float).</summary>
    Fixed32 = 5,
}
