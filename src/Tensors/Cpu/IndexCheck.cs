using System.Globalization;
using System.Runtime.Intrinsics;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Validates index tensors (whole numbers stored as floats) before a kernel trusts them. Every value is checked
/// up front so that a bad index throws before anything is written: in-place updates stay all-or-nothing, and the
/// error always names the first bad position in row-major order, whatever the thread count.
/// Negative indices are rejected everywhere (no wrap-around as in Python).
/// </summary>
internal static class IndexCheck
{
    private const int ChunkLength = 1 << 14;

    /// <summary>
    /// Throws unless every element of <paramref name="index"/> (contiguous) is a whole number in <c>[0, limit)</c>.
    /// <paramref name="axis"/> names the axis being indexed (or -1 when <paramref name="limit"/> counts classes),
    /// <paramref name="shapeName"/> and <paramref name="shape"/> the tensor it indexes, for the message.
    /// </summary>
    public static void Validate(Tensor index, int limit, string op, int axis, string shapeName, Shape shape)
    {
        var data = StridedView.DataOf(index);
        int bad = FirstInvalid(data, index.Offset, index.Numel, limit);
        if (bad < 0) return;
        Throw(data[index.Offset + bad], bad, index.Shape, limit, op, axis, shapeName, shape);
    }

    private static int FirstInvalid(float[] data, int offset, int length, int limit)
    {
        if (length <= ChunkLength) return FirstInvalidSerial(data.AsSpan(offset, length), limit);
        int chunks = (length + ChunkLength - 1) / ChunkLength;
        int first = int.MaxValue;
        CpuParallel.For(chunks, ChunkLength, (c0, c1) =>
        {
            for (int c = c0; c < c1; c++)
            {
                int start = c * ChunkLength;
                int bad = FirstInvalidSerial(data.AsSpan(offset + start, Math.Min(ChunkLength, length - start)), limit);
                if (bad < 0) continue;
                int position = start + bad, seen;
                while (position < (seen = Volatile.Read(ref first)) && Interlocked.CompareExchange(ref first, position, seen) != seen) { }
                return;
            }
        });
        return first == int.MaxValue ? -1 : first;
    }

    private static int FirstInvalidSerial(ReadOnlySpan<float> values, int limit)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Rounding of (float)limit may reject a valid value near 2^24; the exact scalar loop then re-checks it.
            var upper = Vector256.Create((float)limit);
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(values.Slice(i, Vector256<float>.Count));
                var ok = Vector256.Equals(Vector256.Floor(v), v)
                       & Vector256.GreaterThanOrEqual(v, Vector256<float>.Zero)
                       & Vector256.LessThan(v, upper);
                if (ok != Vector256<float>.AllBitsSet) break;
            }
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v >= 0 && (double)v < limit && MathF.Floor(v) == v)) return i;
        }
        return -1;
    }

    private static void Throw(float value, int flat, Shape indexShape, int limit, string op, int axis, string shapeName, Shape shape)
    {
        string v = value.ToString(CultureInfo.InvariantCulture);
        string position = Position(flat, indexShape);
        string range = axis >= 0 ? $"axis {axis} of size {limit}" : $"{limit} classes";
        if (!(MathF.Floor(value) == value))
            throw new ArgumentException($"{op}: index {v} at position {position} is not a whole number ({range}, {shapeName} shape {shape}).");
        if (value < 0)
            throw new IndexOutOfRangeException(
                $"{op}: index {v} at position {position} is negative; indices must lie in [0, {limit}) for {range} ({shapeName} shape {shape}).");
        throw new IndexOutOfRangeException($"{op}: index {v} at position {position} is out of range for {range} ({shapeName} shape {shape}).");
    }

    /// <summary>Formats flat position <paramref name="flat"/> of a row-major tensor as its multi-index, e.g. <c>[1, 2]</c>.</summary>
    private static string Position(int flat, Shape shape)
    {
        var idx = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Shape.Format(idx);
    }
}
