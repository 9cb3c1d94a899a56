using System.Buffers.Binary;
using System.Text;

namespace NetFromScratch.Onnx.Proto;

/// <summary>
/// Reads the protobuf wire format from a span of bytes, one field at a time: call <see cref="TryReadTag"/>, then the
/// reader for that field's type (or <see cref="SkipField"/>). A nested message is read with a new reader over its bytes
/// (<see cref="ReadMessage()"/>), which keeps absolute file offsets so errors point into the file.
/// </summary>
/// <remarks>
/// Every length is checked against the bytes left in the enclosing message before anything is allocated, so the reader
/// never allocates more than the input could hold; every loop consumes at least one byte per step, so it cannot hang;
/// nesting deeper than <see cref="MaxDepth"/> is refused, so hostile input cannot overflow the stack. All problems are
/// reported as <see cref="OnnxFormatException"/> with the source name and absolute byte offset.
/// </remarks>
public ref struct ProtoReader
{
    /// <summary>Deepest message nesting accepted (protobuf's own default limit).</summary>
    public const int MaxDepth = 100;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private int _field;
    private int _tagPosition;

    /// <summary>Creates a reader over <paramref name="data"/>, whose first byte lies at <paramref name="baseOffset"/> in <paramref name="source"/>.</summary>
    public ProtoReader(ReadOnlySpan<byte> data, string source, long baseOffset = 0, int depth = 0)
    {
        _data = data;
        Source = source;
        BaseOffset = baseOffset;
        Depth = depth;
    }

    /// <summary>The file or model name used in error messages.</summary>
    public string Source { get; }

    /// <summary>Absolute offset (in the source) of this reader's first byte.</summary>
    public long BaseOffset { get; }

    /// <summary>How many messages enclose this one (0 at the top level).</summary>
    public int Depth { get; }

    /// <summary>Absolute offset of the next byte to read.</summary>
    public readonly long Offset => BaseOffset + _position;

    /// <summary>Absolute offset of the tag of the field being read.</summary>
    public readonly long FieldOffset => BaseOffset + _tagPosition;

    /// <summary>Bytes left in this message.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Reads the next field's tag; false at the end of the message.</summary>
    /// <exception cref="OnnxFormatException">The tag is malformed, has field number 0, or uses a group wire type.</exception>
    public bool TryReadTag(out int fieldNumber, out ProtoWireType wireType)
    {
        if (_position >= _data.Length)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }
        _tagPosition = _position;
        ulong tag = ReadVarint();
        if (tag > uint.MaxValue)
            throw ErrorAt(FieldOffset, $"field tag {tag} does not fit in 32 bits: the data is corrupt.");
        fieldNumber = (int)(tag >> 3);
        wireType = (ProtoWireType)(tag & 7);
        _field = fieldNumber;
        if (fieldNumber == 0)
            throw ErrorAt(FieldOffset, "field number 0 is not valid: the data is corrupt.");
        if (wireType is ProtoWireType.StartGroup or ProtoWireType.EndGroup)
            throw ErrorAt(FieldOffset, $"field {fieldNumber} uses wire type {(int)wireType} (group), which ONNX never writes: the data is corrupt.");
        if ((int)wireType > 5)
            throw ErrorAt(FieldOffset, $"field {fieldNumber} has invalid wire type {(int)wireType}: the data is corrupt.");
        return true;
    }

    /// <summary>Reads a base-128 varint of at most 10 bytes.</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        int start = _position;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
                throw ErrorAt(BaseOffset + start, $"varint runs past the end of its message{FieldSuffix()}: the data is truncated.");
            byte b = _data[_position++];
            if (shift == 63 && b > 1)
                throw ErrorAt(BaseOffset + start, $"varint overflows 64 bits{FieldSuffix()}: the data is corrupt.");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw ErrorAt(BaseOffset + start, $"varint is longer than 10 bytes{FieldSuffix()}: the data is corrupt.");
    }

    /// <summary>Reads an <c>int64</c> (a varint, two's complement).</summary>
    public long ReadInt64() => (long)ReadVarint();

    /// <summary>Reads an <c>int32</c> or enum; like protobuf, keeps the low 32 bits of the varint.</summary>
    public int ReadInt32() => (int)ReadVarint();

    /// <summary>Reads a <c>uint64</c>.</summary>
    public ulong ReadUInt64() => ReadVarint();

    /// <summary>Reads a <c>bool</c>.</summary>
    public bool ReadBool() => ReadVarint() != 0;

    /// <summary>Reads a zigzag-encoded <c>sint64</c>.</summary>
    public long ReadSInt64()
    {
        ulong v = ReadVarint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    /// <summary>Reads four little-endian bytes.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "fixed32 value"));

    /// <summary>Reads eight little-endian bytes.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "fixed64 value"));

    /// <summary>Reads a <c>float</c> (fixed32).</summary>
    public float ReadFloat() => BitConverter.Int32BitsToSingle((int)ReadFixed32());

    /// <summary>Reads a <c>double</c> (fixed64).</summary>
    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    /// <summary>Reads a length prefix and returns that many bytes without copying.</summary>
    /// <exception cref="OnnxFormatException">The length runs past the end of the enclosing message.</exception>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        long lengthAt = Offset;
        ulong length = ReadVarint();
        if (length > (ulong)Remaining)
            throw ErrorAt(lengthAt, $"field {_field} declares {length} bytes but only {Remaining} remain in its message: the data is truncated or corrupt.");
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Reads a <c>bytes</c> field into a new array.</summary>
    public byte[] ReadBytes() => ReadLengthDelimited().ToArray();

    /// <summary>Reads a <c>string</c> field (UTF-8; invalid sequences become U+FFFD, as ONNX tools treat names as text).</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadLengthDelimited());

    /// <summary>Reads a length-delimited nested message and returns a reader over it.</summary>
    /// <exception cref="OnnxFormatException">The length runs past the end, or messages nest deeper than <see cref="MaxDepth"/>.</exception>
    public ProtoReader ReadMessage()
    {
        if (Depth + 1 > MaxDepth)
            throw ErrorAt(FieldOffset, $"messages nest deeper than {MaxDepth} levels: the data is corrupt or hostile.");
        var bytes = ReadLengthDelimited();
        return new ProtoReader(bytes, Source, Offset - bytes.Length, Depth + 1);
    }

    /// <summary>Skips the value of a field this reader does not model.</summary>
    public void SkipField(ProtoWireType wireType)
    {
        switch (wireType)
        {
            case ProtoWireType.Varint: ReadVarint(); break;
            case ProtoWireType.Fixed64: Take(8, "fixed64 value"); break;
            case ProtoWireType.Fixed32: Take(4, "fixed32 value"); break;
            case ProtoWireType.LengthDelimited: ReadLengthDelimited(); break;
            default: throw ErrorAt(FieldOffset, $"field {_field} has wire type {(int)wireType}, which cannot be skipped.");
        }
    }

    /// <summary>Fails unless the field just read has <paramref name="expected"/> wire type.</summary>
    public readonly void Expect(ProtoWireType actual, ProtoWireType expected, string fieldName)
    {
        if (actual != expected)
            throw ErrorAt(FieldOffset, $"field {_field} ({fieldName}) has wire type {(int)actual} ({actual}) but {(int)expected} ({expected}) was expected: the data is corrupt.");
    }

    /// <summary>Reads a <c>string</c> field after checking its wire type.</summary>
    public string ReadString(ProtoWireType wireType, string fieldName)
    {
        Expect(wireType, ProtoWireType.LengthDelimited, fieldName);
        return ReadString();
    }

    /// <summary>Reads a <c>bytes</c> field after checking its wire type.</summary>
    public byte[] ReadBytes(ProtoWireType wireType, string fieldName)
    {
        Expect(wireType, ProtoWireType.LengthDelimited, fieldName);
        return ReadBytes();
    }

    /// <summary>Reads an <c>int64</c> field after checking its wire type.</summary>
    public long ReadInt64(ProtoWireType wireType, string fieldName)
    {
        Expect(wireType, ProtoWireType.Varint, fieldName);
        return ReadInt64();
    }

    /// <summary>Reads an <c>int32</c> or enum field after checking its wire type.</summary>
    public int ReadInt32(ProtoWireType wireType, string fieldName)
    {
        Expect(wireType, ProtoWireType.Varint, fieldName);
        return ReadInt32();
    }

    /// <summary>Reads a <c>float</c> field after checking its wire type.</summary>
    public float ReadFloat(ProtoWireType wireType, string fieldName)
    {
        Expect(wireType, ProtoWireType.Fixed32, fieldName);
        return ReadFloat();
    }

    /// <summary>Reads a nested message field after checking its wire type.</summary>
    public ProtoReader ReadMessage(ProtoWireType wireType, string fieldName)
    {
        Expect(wireType, ProtoWireType.LengthDelimited, fieldName);
        return ReadMessage();
    }

    /// <summary>Appends one <c>int64</c> (unpacked) or a packed run of them.</summary>
    public void ReadRepeatedInt64(ProtoWireType wireType, List<long> into, string fieldName)
    {
        if (wireType == ProtoWireType.LengthDelimited)
        {
            var packed = ReadPacked();
            into.EnsureCapacity(into.Count + CountVarints(packed._data));
            while (packed.Remaining > 0) into.Add(packed.ReadInt64());
            return;
        }
        Expect(wireType, ProtoWireType.Varint, fieldName);
        into.Add(ReadInt64());
    }

    /// <summary>Appends one <c>int32</c> (unpacked) or a packed run of them.</summary>
    public void ReadRepeatedInt32(ProtoWireType wireType, List<int> into, string fieldName)
    {
        if (wireType == ProtoWireType.LengthDelimited)
        {
            var packed = ReadPacked();
            into.EnsureCapacity(into.Count + CountVarints(packed._data));
            while (packed.Remaining > 0) into.Add(packed.ReadInt32());
            return;
        }
        Expect(wireType, ProtoWireType.Varint, fieldName);
        into.Add(ReadInt32());
    }

    /// <summary>Appends one <c>uint64</c> (unpacked) or a packed run of them.</summary>
    public void ReadRepeatedUInt64(ProtoWireType wireType, List<ulong> into, string fieldName)
    {
        if (wireType == ProtoWireType.LengthDelimited)
        {
            var packed = ReadPacked();
            into.EnsureCapacity(into.Count + CountVarints(packed._data));
            while (packed.Remaining > 0) into.Add(packed.ReadUInt64());
            return;
        }
        Expect(wireType, ProtoWireType.Varint, fieldName);
        into.Add(ReadUInt64());
    }

    /// <summary>Appends one <c>float</c> (unpacked) or a packed run of them.</summary>
    public void ReadRepeatedFloat(ProtoWireType wireType, List<float> into, string fieldName)
    {
        if (wireType == ProtoWireType.LengthDelimited)
        {
            long at = Offset;
            var bytes = ReadLengthDelimited();
            if (bytes.Length % 4 != 0)
                throw ErrorAt(at, $"field {_field} ({fieldName}) packs {bytes.Length} bytes of floats, not a multiple of 4: the data is corrupt.");
            into.EnsureCapacity(into.Count + bytes.Length / 4);
            for (int i = 0; i < bytes.Length; i += 4)
                into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
            return;
        }
        Expect(wireType, ProtoWireType.Fixed32, fieldName);
        into.Add(ReadFloat());
    }

    /// <summary>Appends one <c>double</c> (unpacked) or a packed run of them.</summary>
    public void ReadRepeatedDouble(ProtoWireType wireType, List<double> into, string fieldName)
    {
        if (wireType == ProtoWireType.LengthDelimited)
        {
            long at = Offset;
            var bytes = ReadLengthDelimited();
            if (bytes.Length % 8 != 0)
                throw ErrorAt(at, $"field {_field} ({fieldName}) packs {bytes.Length} bytes of doubles, not a multiple of 8: the data is corrupt.");
            into.EnsureCapacity(into.Count + bytes.Length / 8);
            for (int i = 0; i < bytes.Length; i += 8)
                into.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
            return;
        }
        Expect(wireType, ProtoWireType.Fixed64, fieldName);
        into.Add(ReadDouble());
    }

    /// <summary>An error at the current position.</summary>
    public readonly OnnxFormatException Error(string problem) => new(Source, "", Offset, problem);

    /// <summary>An error at an absolute offset.</summary>
    public readonly OnnxFormatException ErrorAt(long offset, string problem) => new(Source, "", offset, problem);

    // A reader over a packed run's bytes, so a truncated element inside it reports its own offset.
    private ProtoReader ReadPacked()
    {
        var bytes = ReadLengthDelimited();
        return new ProtoReader(bytes, Source, Offset - bytes.Length, Depth) { _field = _field };
    }

    // Exactly the number of varints in a well-formed packed run: one terminating byte (high bit clear) each.
    private static int CountVarints(ReadOnlySpan<byte> bytes)
    {
        int n = 0;
        foreach (byte b in bytes) if (b < 0x80) n++;
        return n;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (Remaining < count)
            throw Error($"{what}{FieldSuffix()} needs {count} bytes but only {Remaining} remain in its message: the data is truncated.");
        var s = _data.Slice(_position, count);
        _position += count;
        return s;
    }

    private readonly string FieldSuffix() => _field > 0 ? $" in field {_field}" : "";
}
