using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import;

/// <summary>
/// An integer (or boolean) tensor kept on the host: the shapes, axes and indices that exporters compute with
/// <c>Shape</c>, <c>Gather</c>, <c>Concat</c> and friends. Values are 64-bit, as ONNX's INT64; float32 could not
/// hold the sentinels exporters use (<c>INT64_MAX</c> as "to the end" in Slice).
/// Shape: any (usually rank 0 or 1).
/// </summary>
internal sealed class IntTensor
{
    public IntTensor(long[] data, int[] dims)
    {
        long n = 1;
        foreach (int d in dims) n *= d;
        if (n != data.Length)
            throw new ArgumentException($"IntTensor: {data.Length} values do not fill shape {new Shape(dims)}.");
        Data = data;
        Dims = dims;
    }

    /// <summary>The values, row-major.</summary>
    public long[] Data { get; }

    /// <summary>The shape.</summary>
    public int[] Dims { get; }

    public int Rank => Dims.Length;

    public int Numel => Data.Length;

    public static IntTensor Scalar(long value) => new([value], []);

    public static IntTensor Vector(params long[] values) => new(values, [values.Length]);

    /// <summary>Rounds each element of a float tensor (for integer data that arrived as floats).</summary>
    public static IntTensor FromTensor(Tensor t)
    {
        var f = t.ToArray();
        var data = new long[f.Length];
        for (int i = 0; i < f.Length; i++) data[i] = (long)MathF.Round(f[i]);
        return new IntTensor(data, t.Shape.ToArray());
    }

    public Tensor ToTensor(Device? device = null)
    {
        var f = new float[Data.Length];
        for (int i = 0; i < f.Length; i++) f[i] = Data[i];
        return Tensor.FromArray(f, new Shape(Dims), device);
    }

    /// <summary>
    /// Applies a view or selection op to the element positions and reads the values at the positions it returns, so
    /// every rearranging Tensor op (reshape, permute, slice, gather, concat, expand) works on 64-bit values exactly.
    /// </summary>
    public IntTensor Rearrange(Func<Tensor, Tensor> op)
    {
        using var positions = Positions();
        return Pick(op(positions));
    }

    /// <summary>Element positions 0..n-1 in this shape, as floats (exact below 2^24 elements).</summary>
    public Tensor Positions()
    {
        if (Data.Length > 1 << 24)
            throw new ArgumentException($"IntTensor: {Data.Length} elements are too many for an integer tensor.");
        return Tensor.Arange(0, Data.Length, 1).Reshape(Dims);
    }

    /// <summary>The values at the positions held by <paramref name="positions"/>, in its shape.</summary>
    public IntTensor Pick(Tensor positions)
    {
        var p = positions.ToArray();
        var data = new long[p.Length];
        for (int i = 0; i < p.Length; i++) data[i] = Data[(int)p[i]];
        return new IntTensor(data, positions.Shape.ToArray());
    }

    /// <summary>Joins <paramref name="parts"/> along <paramref name="axis"/>.</summary>
    public static IntTensor Concat(IReadOnlyList<IntTensor> parts, int axis)
    {
        var all = new IntTensor(parts.SelectMany(p => p.Data).ToArray(), [parts.Sum(p => p.Numel)]);
        var positions = new List<Tensor>();
        int offset = 0;
        foreach (var part in parts)
        {
            using var own = part.Positions();
            positions.Add(own + offset);
            offset += part.Numel;
        }
        using var joined = Tensor.Concat(positions, axis);
        foreach (var p in positions) p.Dispose();
        return all.Pick(joined);
    }

    /// <summary>Elementwise <paramref name="op"/> with NumPy broadcasting.</summary>
    public static IntTensor Binary(IntTensor a, IntTensor b, Func<long, long, long> op, string opName)
    {
        var shape = Shape.Broadcast(new Shape(a.Dims), new Shape(b.Dims), opName).ToArray();
        using var pa = a.Positions();
        using var pb = b.Positions();
        var ia = pa.Expand(shape).Contiguous().ToArray();
        var ib = pb.Expand(shape).Contiguous().ToArray();
        var data = new long[ia.Length];
        for (int i = 0; i < data.Length; i++) data[i] = op(a.Data[(int)ia[i]], b.Data[(int)ib[i]]);
        return new IntTensor(data, shape);
    }

    /// <summary>This tensor broadcast to <paramref name="shape"/> (NumPy rules), materialised.</summary>
    public IntTensor BroadcastTo(int[] shape) => Dims.SequenceEqual(shape) ? this : Rearrange(t => t.Expand(shape).Contiguous());

    /// <summary>Folds the values along <paramref name="axes"/> (normalised, distinct) with <paramref name="op"/>.</summary>
    public IntTensor Reduce(int[] axes, bool keepDims, Func<long, long, long> op, long seed)
    {
        var outDims = (int[])Dims.Clone();
        foreach (int a in axes) outDims[a] = 1;
        int outCount = 1;
        foreach (int d in outDims) outCount *= d;
        var result = new long[outCount];
        Array.Fill(result, seed);
        var index = new int[Rank];
        for (int i = 0; i < Data.Length; i++)
        {
            // The output position of element i: its index with the reduced axes set to 0.
            int o = 0;
            for (int k = 0; k < Rank; k++) o = o * outDims[k] + (outDims[k] == 1 ? 0 : index[k]);
            result[o] = op(result[o], Data[i]);
            for (int k = Rank - 1; k >= 0 && ++index[k] == Dims[k]; k--) index[k] = 0;
        }
        var dims = keepDims ? outDims : Dims.Where((_, k) => !axes.Contains(k)).ToArray();
        return new IntTensor(result, dims);
    }

    public IntTensor Map(Func<long, long> op)
    {
        var data = new long[Data.Length];
        for (int i = 0; i < data.Length; i++) data[i] = op(Data[i]);
        return new IntTensor(data, (int[])Dims.Clone());
    }

    public override string ToString() => $"int64 {new Shape(Dims)} [{string.Join(", ", Data.Take(16))}{(Data.Length > 16 ? ", ..." : "")}]";
}
