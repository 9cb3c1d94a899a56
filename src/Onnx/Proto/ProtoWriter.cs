using System.Buffers.Binary;
using System.Text;

namespace NetFromScratch.Onnx.Proto;

/// <summary>
/// Writes the protobuf wire format into a growing buffer. Nested messages are written in place between
/// <see cref="BeginMessage"/> and <see cref="EndMessage"/>: the body goes after a reserved length slot, and the end call
/// writes the real (shortest) length and slides the body back over the unused slot bytes.
/// </summary>
public sealed class ProtoWriter
{
    // A 32-bit length never needs more than 5 varint bytes.
    private const int LengthSlot = 5;

    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with an initial capacity in bytes.</summary>
    public ProtoWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>A copy of the bytes written so far.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Writes a field tag.</summary>
    public void WriteTag(int fieldNumber, ProtoWireType wireType) => WriteVarint(((ulong)(uint)fieldNumber << 3) | (uint)wireType);

    /// <summary>Writes a base-128 varint.</summary>
    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[_length++] = (byte)value;
    }

    /// <summary>Writes an <c>int64</c> field.</summary>
    public void WriteInt64(int fieldNumber, long value)
    {
        WriteTag(fieldNumber, ProtoWireType.Varint);
        WriteVarint((ulong)value);
    }

    /// <summary>Writes an <c>int32</c> or enum field; negative values take ten bytes, sign-extended as protobuf does.</summary>
    public void WriteInt32(int fieldNumber, int value) => WriteInt64(fieldNumber, value);

    /// <summary>Writes a <c>uint64</c> field.</summary>
    public void WriteUInt64(int fieldNumber, ulong value)
    {
        WriteTag(fieldNumber, ProtoWireType.Varint);
        WriteVarint(value);
    }

    /// <summary>Writes a <c>float</c> field (fixed32).</summary>
    public void WriteFloat(int fieldNumber, float value)
    {
        WriteTag(fieldNumber, ProtoWireType.Fixed32);
        Ensure(4);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>Writes a <c>double</c> field (fixed64).</summary>
    public void WriteDouble(int fieldNumber, double value)
    {
        WriteTag(fieldNumber, ProtoWireType.Fixed64);
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Writes a <c>bytes</c> field.</summary>
    public void WriteBytes(int fieldNumber, ReadOnlySpan<byte> value)
    {
        WriteTag(fieldNumber, ProtoWireType.LengthDelimited);
        WriteVarint((ulong)value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes a <c>string</c> field as UTF-8.</summary>
    public void WriteString(int fieldNumber, string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        WriteTag(fieldNumber, ProtoWireType.LengthDelimited);
        WriteVarint((ulong)n);
        Ensure(n);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Starts a nested message field; returns the mark to pass to <see cref="EndMessage"/>.</summary>
    public int BeginMessage(int fieldNumber)
    {
        WriteTag(fieldNumber, ProtoWireType.LengthDelimited);
        Ensure(LengthSlot);
        _length += LengthSlot;
        return _length;
    }

    /// <summary>Ends the nested message started at <paramref name="mark"/>: writes its length and closes the gap.</summary>
    public void EndMessage(int mark)
    {
        int body = _length - mark;
        int size = VarintSize((ulong)body);
        int slot = mark - LengthSlot;
        if (size < LengthSlot)
            _buffer.AsSpan(mark, body).CopyTo(_buffer.AsSpan(slot + size));
        int at = slot;
        ulong v = (ulong)body;
        while (v >= 0x80)
        {
            _buffer[at++] = (byte)(v | 0x80);
            v >>= 7;
        }
        _buffer[at] = (byte)v;
        _length -= LengthSlot - size;
    }

    /// <summary>Writes a packed <c>repeated int64</c> field; nothing when the list is empty.</summary>
    public void WritePackedInt64(int fieldNumber, IReadOnlyList<long> values)
    {
        if (values.Count == 0) return;
        long bytes = 0;
        foreach (long v in values) bytes += VarintSize((ulong)v);
        WritePackedHeader(fieldNumber, bytes);
        foreach (long v in values) WriteVarint((ulong)v);
    }

    /// <summary>Writes a packed <c>repeated int32</c> field (negative values sign-extended to ten bytes).</summary>
    public void WritePackedInt32(int fieldNumber, IReadOnlyList<int> values)
    {
        if (values.Count == 0) return;
        long bytes = 0;
        foreach (int v in values) bytes += VarintSize((ulong)(long)v);
        WritePackedHeader(fieldNumber, bytes);
        foreach (int v in values) WriteVarint((ulong)(long)v);
    }

    /// <summary>Writes a packed <c>repeated uint64</c> field.</summary>
    public void WritePackedUInt64(int fieldNumber, IReadOnlyList<ulong> values)
    {
        if (values.Count == 0) return;
        long bytes = 0;
        foreach (ulong v in values) bytes += VarintSize(v);
        WritePackedHeader(fieldNumber, bytes);
        foreach (ulong v in values) WriteVarint(v);
    }

    /// <summary>Writes a packed <c>repeated float</c> field.</summary>
    public void WritePackedFloat(int fieldNumber, IReadOnlyList<float> values)
    {
        if (values.Count == 0) return;
        WritePackedHeader(fieldNumber, 4L * values.Count);
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), v);
            _length += 4;
        }
    }

    /// <summary>Writes a packed <c>repeated double</c> field.</summary>
    public void WritePackedDouble(int fieldNumber, IReadOnlyList<double> values)
    {
        if (values.Count == 0) return;
        WritePackedHeader(fieldNumber, 8L * values.Count);
        foreach (double v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), v);
            _length += 8;
        }
    }

    /// <summary>Bytes a varint of <paramref name="value"/> takes (1 to 10).</summary>
    public static int VarintSize(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private void WritePackedHeader(int fieldNumber, long bytes)
    {
        WriteTag(fieldNumber, ProtoWireType.LengthDelimited);
        WriteVarint((ulong)bytes);
        Ensure(bytes);
    }

    private void Ensure(long extra)
    {
        long need = _length + extra;
        if (need <= _buffer.Length) return;
        if (need > Array.MaxLength)
            throw new InvalidOperationException($"ProtoWriter: the message would exceed {Array.MaxLength} bytes; protobuf files are limited to 2 GiB (store large weights as external data).");
        long grown = Math.Min(Math.Max(need, 2L * _buffer.Length), Array.MaxLength);
        Array.Resize(ref _buffer, (int)grown);
    }
}
