using System.Globalization;
using System.Text;

namespace NetFromScratch.Tensors;

/// <summary>
/// A float32 n-dimensional array: a view (shape, strides, offset) onto a <see cref="TensorStorage"/> that lives
/// on one <see cref="Device"/>. Views (reshape, permute, slice, expand, ...) share storage and copy nothing;
/// every op dispatches its kernel to the device's <see cref="IBackend"/>.
/// Shape: any rank, including 0 (a scalar).
/// </summary>
/// <remarks>
/// Tensors are immutable in shape; their elements change only through the methods named <c>...InPlace</c>.
/// <see cref="Dispose"/> gives the buffer back to the device pool once no view uses it; tensors that are never
/// disposed are simply collected.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _strides;
    private bool _disposed;

    internal Tensor(TensorStorage storage, Shape shape, int[] strides, int offset)
    {
        Storage = storage;
        Shape = shape;
        _strides = strides;
        Offset = offset;
        storage.Retain();
    }

    internal Tensor(TensorStorage storage, Shape shape) : this(storage, shape, shape.ContiguousStrides(), 0) { }

    /// <summary>The buffer this view reads.</summary>
    public TensorStorage Storage { get; }

    /// <summary>Sizes of the dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Element step per dimension (0 where a dimension is broadcast).</summary>
    public ReadOnlySpan<int> Strides => _strides;

    /// <summary>Index of the first element in <see cref="Storage"/>.</summary>
    public int Offset { get; }

    /// <summary>The device holding the data.</summary>
    public Device Device => Storage.Device;

    /// <summary>The kernels of <see cref="Device"/>.</summary>
    internal IBackend Backend => Storage.Device.Backend;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => Shape.Numel;

    /// <summary>Size of one dimension; negative axes count from the end.</summary>
    public int Size(int axis) => Shape[Shape.NormalizeAxis(axis, "Size")];

    /// <summary>True when the elements are laid out row-major without gaps, starting anywhere in the storage.</summary>
    public bool IsContiguous
    {
        get
        {
            int expected = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                int d = Shape.Dims[i];
                if (d != 1 && _strides[i] != expected) return false;
                expected *= d;
            }
            return true;
        }
    }

    internal int[] StridesArray => _strides;

    /// <summary>
    /// A contiguous tensor with the same values: this tensor itself when already contiguous, else a copy.
    /// </summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        return Clone();
    }

    /// <summary>A contiguous copy that shares nothing with this tensor.</summary>
    public Tensor Clone()
    {
        var result = Empty(Shape, Device);
        Backend.Copy(this, result);
        return result;
    }

    /// <summary>This tensor on <paramref name="device"/>: itself if already there, else a copy.</summary>
    public Tensor To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (ReferenceEquals(device, Device)) return this;
        var host = ToArray();
        return new Tensor(device.Backend.Upload(host), Shape);
    }

    /// <summary>The elements in row-major order, copied to a new host array.</summary>
    public float[] ToArray()
    {
        var data = new float[Numel];
        if (data.Length > 0) Backend.Download(this, data);
        return data;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds more or fewer than one element.</exception>
    public float Item()
    {
        if (Numel != 1)
            throw new InvalidOperationException($"Item: the tensor has shape {Shape} ({Numel} elements); only one-element tensors have an item.");
        return ToArray()[0];
    }

    /// <summary>The element at <paramref name="index"/> (one index per dimension; negatives count from the end).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get
        {
            if (index.Length != Rank)
                throw new ArgumentException($"Indexer: {index.Length} indices given for a tensor of rank {Rank} (shape {Shape}).");
            var view = this;
            for (int i = index.Length - 1; i >= 0; i--)
            {
                var next = view.Select(i, index[i]);
                if (!ReferenceEquals(view, this)) view.Dispose();
                view = next;
            }
            float value = view.Item();
            if (!ReferenceEquals(view, this)) view.Dispose();
            return value;
        }
    }

    /// <summary>Gives the storage back to the pool once no other view uses it. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Storage.Release();
    }

    /// <summary>Throws unless every tensor lives on this tensor's device; the message names the op and both devices.</summary>
    internal void CheckSameDevice(string op, Tensor other)
    {
        if (!ReferenceEquals(other.Device, Device))
            throw new InvalidOperationException($"{op}: tensors are on different devices ({Device} and {other.Device}); move one with To(device).");
    }

    /// <summary>Formats shape and values like <c>Tensor[2, 3] [[1, 2, 3], [4, 5, 6]]</c>, eliding the middle of large tensors.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(Shape).Append(' ');
        if (Device.Kind != DeviceKind.Cpu) sb.Append('(').Append(Device).Append(") ");
        var data = ToArray();
        int[] dims = Shape.ToArray();
        int[] strides = Shape.ContiguousStrides();
        Format(sb, data, dims, strides, 0, 0);
        return sb.ToString();
    }

    private static void Format(StringBuilder sb, float[] data, int[] dims, int[] strides, int axis, int offset)
    {
        if (axis == dims.Length)
        {
            sb.Append(data[offset].ToString("G6", CultureInfo.InvariantCulture));
            return;
        }
        sb.Append('[');
        int n = dims[axis];
        const int edge = 3;
        for (int i = 0; i < n; i++)
        {
            if (n > 2 * edge + 1 && i == edge)
            {
                sb.Append("..., ");
                i = n - edge - 1;
                continue;
            }
            if (i > 0) sb.Append(", ");
            Format(sb, data, dims, strides, axis + 1, offset + i * strides[axis]);
        }
        sb.Append(']');
    }
}
