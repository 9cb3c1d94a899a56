namespace NetFromScratch.Tensors;

/// <summary>
/// The sizes of a tensor's dimensions, outermost first. Immutable; a rank-0 shape is a scalar.
/// Shape: <c>[d0, d1, ..., d(r-1)]</c>, every <c>di &gt;= 0</c>.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its sizes; each must be zero or positive.</summary>
    /// <exception cref="ArgumentException">A size is negative or the element count overflows.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long n = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"Shape {Format(dims)}: dimension {i} has negative size {dims[i]}.");
            n *= dims[i];
            if (n > int.MaxValue)
                throw new ArgumentException($"Shape {Format(dims)} holds more than {int.MaxValue} elements.");
        }
        _dims = (int[])dims.Clone();
    }

    /// <summary>The scalar shape <c>[]</c>.</summary>
    public static Shape Scalar => new(Array.Empty<int>());

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => Dims[axis < 0 ? axis + Rank : axis];

    /// <summary>The sizes, read-only.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? Array.Empty<int>();

    /// <summary>Total number of elements (1 for a scalar).</summary>
    public int Numel
    {
        get
        {
            int n = 1;
            foreach (int d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>A copy of the sizes.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Row-major (C-order) strides for this shape, in elements.</summary>
    public int[] ContiguousStrides()
    {
        var strides = new int[Rank];
        int s = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(Dims[i], 1);
        }
        return strides;
    }

    /// <summary>
    /// Turns a possibly negative axis into <c>0..Rank-1</c>, or throws an error naming <paramref name="op"/>.
    /// </summary>
    public int NormalizeAxis(int axis, string op)
    {
        int r = Rank;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for shape {this} (rank {r}).");
        return a;
    }

    /// <summary>
    /// The NumPy broadcast of two shapes: aligned from the right, each pair equal or one of them 1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast; the message names <paramref name="op"/>.</exception>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        int r = Math.Max(a.Rank, b.Rank);
        var dims = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Rank ? 1 : a.Dims[i - (r - a.Rank)];
            int db = i < r - b.Rank ? 1 : b.Dims[i - (r - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i} of the result: {da} vs {db}).");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>True when both shapes have the same sizes.</summary>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Equality of sizes.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Inequality of sizes.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Implicit conversion from an array of sizes.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>Formats as <c>[2, 3, 4]</c>.</summary>
    public override string ToString() => Format(Dims);

    internal static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new System.Text.StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i]);
        }
        return sb.Append(']').ToString();
    }
}
