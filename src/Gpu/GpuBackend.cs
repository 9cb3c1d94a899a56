using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Gpu.Kernels;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

/// <summary>
/// The ILGPU backend: every kernel of <see cref="IBackend"/> as a device kernel, for CUDA, OpenCL and ILGPU's CPU
/// simulator alike. Work is queued on the accelerator's default stream and never waited for, except where the
/// host needs data (<see cref="Download"/>, <see cref="Synchronize"/>). Kernels are compiled on first use and kept;
/// buffers come from a <see cref="DeviceMemoryPool"/>. Each op family lives in its own file
/// (GpuBackend.Elementwise.cs, .Reductions.cs, .MatMul.cs, .Convolution.cs, .Pooling.cs, .Indexing.cs, .Random.cs).
/// </summary>
public sealed partial class GpuBackend : IBackend, IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly MemoryBuffer1D<ulong, Stride1D.Dense> _indexErrors;
    // Index checks queued since the flag was last read, by launch number: what to say if one failed.
    private readonly Dictionary<ulong, IndexCheck> _pendingChecks = new();
    private ulong _lastCheck;

    /// <summary>Creates the backend of <paramref name="device"/> on an ILGPU accelerator it takes ownership of.</summary>
    public GpuBackend(Device device, Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(accelerator);
        Device = device;
        _accelerator = accelerator;
        Pool = new DeviceMemoryPool(accelerator, device.Name);
        _indexErrors = accelerator.Allocate1D(new[] { 0UL, IndexValidation.NoKey });
        // The simulator exists for tests, which expect a bad index to throw at the op, as on the CPU.
        CheckIndicesEagerly = accelerator.AcceleratorType == AcceleratorType.CPU;

        // Reductions use power-of-two groups; 256 threads fill a GPU multiprocessor in 8 groups, while the CPU
        // simulator runs each group's threads as OS threads and is fastest with small groups.
        int maxThreads = accelerator.MaxNumThreadsPerGroup;
        GroupSize = Math.Min(GroupReduce.MaxGroupSize, 1 << (31 - int.LeadingZeroCount(maxThreads)));
        int perMultiprocessor = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / GroupSize);
        ResidentGroups = Math.Max(1, accelerator.NumMultiprocessors * perMultiprocessor);
        UsesLargeTiles = GroupSize >= 256;
        if (GroupSize < 4)
            throw new NotSupportedException($"{device.Name}: groups of {maxThreads} threads are too small for the GPU kernels (at least 4 are needed).");
    }

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>The pool that recycles device buffers.</summary>
    public DeviceMemoryPool Pool { get; }

    /// <summary>Transfers, launches and synchronisations so far.</summary>
    public GpuStatistics Statistics { get; } = new();

    /// <summary>
    /// When true, an indexing op waits for its index check and throws on a bad index right away, as the CPU does
    /// (one 16-byte read per op). When false (the default on GPUs; the simulator defaults to true), the op is
    /// skipped on the device and the error is raised at the next <see cref="Synchronize"/> or
    /// <see cref="Download"/>, so a training step never waits for the device in the middle. Either way the message
    /// and exception type are the CPU's, the first bad position in row-major order is named, and nothing is
    /// written: an op whose indices failed leaves its output untouched (zeros are not guaranteed).
    /// </summary>
    public bool CheckIndicesEagerly { get; set; }

    /// <summary>Threads per group of every launch.</summary>
    internal int GroupSize { get; }

    /// <summary>Groups that fit on the device at once; grid-stride launches use at most this many.</summary>
    internal int ResidentGroups { get; }

    /// <summary>True for the 64x64 GEMM tile, false for the 8x8 tile used with small groups.</summary>
    internal bool UsesLargeTiles { get; set; }

    /// <summary>
    /// Largest column matrix (in floats) that convolution stages at once; bigger batches are processed in chunks
    /// of images so that memory stays bounded.
    /// </summary>
    internal int ColumnBudget { get; set; } = 1 << 25;

    private AcceleratorStream Stream => _accelerator.DefaultStream;

    // ---- memory ----------------------------------------------------------------------------------------------

    /// <inheritdoc/>
    public TensorStorage Allocate(int length, bool zero = true)
    {
        var buffer = Pool.Rent(length);
        if (zero && length > 0) buffer.View.SubView(0, length).MemSetToZero(Stream);
        return new GpuStorage(Device, buffer, length, Pool);
    }

    /// <inheritdoc/>
    public TensorStorage Upload(ReadOnlySpan<float> data)
    {
        var buffer = Pool.Rent(data.Length);
        if (data.Length > 0)
        {
            buffer.View.SubView(0, data.Length).CopyFromCPU(Stream, data);
            Statistics.Upload((long)data.Length * sizeof(float));
        }
        return new GpuStorage(Device, buffer, data.Length, Pool);
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<float> destination)
    {
        int n = source.Numel;
        if (n > 0)
        {
            if (source.IsContiguous)
            {
                Storage(source).View.SubView(source.Offset, n).CopyToCPU(Stream, destination[..n]);
            }
            else
            {
                using var packed = Tensor.Empty(source.Shape, Device);
                Copy(source, packed);
                Storage(packed).View.SubView(0, n).CopyToCPU(Stream, destination[..n]);
            }
            Stream.Synchronize();
            Statistics.Download((long)n * sizeof(float));
        }
        ThrowIndexErrors();
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
        Stream.Synchronize();
        Statistics.Synchronize();
        ThrowIndexErrors();
    }

    // ---- launch helpers --------------------------------------------------------------------------------------

    internal static GpuStorage Storage(Tensor t) => (GpuStorage)t.Storage;

    /// <summary>The whole buffer of a tensor (kernels add the tensor's offset through a layout).</summary>
    internal static ArrayView<float> Whole(Tensor t) => Storage(t).View;

    /// <summary>A contiguous tensor's elements, starting at index 0.</summary>
    internal static ArrayView<float> Elements(Tensor t) => Storage(t).View.SubView(t.Offset, Math.Max(1, t.Numel));

    /// <summary>A grid-stride launch for <paramref name="work"/> independent items.</summary>
    internal KernelConfig Linear(long work)
    {
        Statistics.Launch();
        long groups = Math.Clamp((work + GroupSize - 1) / GroupSize, 1, ResidentGroups);
        return new KernelConfig((int)groups, GroupSize);
    }

    /// <summary>A launch where each group takes whole tasks (rows, pieces of rows) in a grid-stride loop.</summary>
    internal KernelConfig PerGroup(long tasks)
    {
        Statistics.Launch();
        long groups = Math.Clamp(tasks, 1, 8L * ResidentGroups);
        return new KernelConfig((int)groups, GroupSize);
    }

    /// <summary>What a queued index check was about, for the message if it fails.</summary>
    private sealed record IndexCheck(string Op, int Limit, int Axis, string ShapeName, Shape Shape, Shape IndexShape);

    /// <summary>
    /// Queues the check of <paramref name="index"/> (contiguous) against <c>[0, limit)</c> and returns the flag the
    /// indexing kernel must consult. <paramref name="axis"/> is -1 when the limit counts classes.
    /// </summary>
    internal ArrayView<ulong> CheckIndices(Tensor index, int limit, string op, int axis, string shapeName, Shape shape)
    {
        ulong launch;
        lock (_pendingChecks)
        {
            launch = ++_lastCheck;
            _pendingChecks[launch] = new IndexCheck(op, limit, axis, shapeName, shape, index.Shape);
        }
        int count = index.Numel;
        if (count > 0)
        {
            _validate ??= _accelerator.LoadStreamKernel<int, int, int, ulong, ArrayView<float>, ArrayView<ulong>>(IndexValidation.Validate);
            _validate(Linear(count), count, index.Offset, limit, launch, Whole(index), _indexErrors.View);
        }
        return _indexErrors.View;
    }

    private Action<KernelConfig, int, int, int, ulong, ArrayView<float>, ArrayView<ulong>>? _validate;

    /// <summary>Called after queuing an indexing kernel.</summary>
    private void AfterIndexKernel()
    {
        int pending;
        lock (_pendingChecks) pending = _pendingChecks.Count;
        // A program that never reads anything back would otherwise collect check records without end.
        if (CheckIndicesEagerly || pending >= 4096) ThrowIndexErrors();
    }

    private void ThrowIndexErrors()
    {
        Dictionary<ulong, IndexCheck> pending;
        lock (_pendingChecks)
        {
            if (_pendingChecks.Count == 0) return;
            pending = new Dictionary<ulong, IndexCheck>(_pendingChecks);
            _pendingChecks.Clear();
        }
        Statistics.ErrorCheck();
        var flag = new ulong[2];
        _indexErrors.View.CopyToCPU(Stream, flag.AsSpan());
        Stream.Synchronize();
        if (flag[0] == 0) return;
        _indexErrors.View.CopyFromCPU(Stream, new[] { 0UL, IndexValidation.NoKey }.AsSpan());
        var check = pending[flag[0]];
        int position = (int)(flag[1] >> 32);
        float value = BitConverter.UInt32BitsToSingle((uint)flag[1]);
        throw IndexError(check, position, value);
    }

    /// <summary>The CPU backend's exception for a bad index, word for word.</summary>
    private static Exception IndexError(IndexCheck c, int flat, float value)
    {
        string v = value.ToString(CultureInfo.InvariantCulture);
        var idx = new int[c.IndexShape.Rank];
        for (int d = idx.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % c.IndexShape[d];
            flat /= c.IndexShape[d];
        }
        string position = new Shape(idx).ToString();
        string range = c.Axis >= 0 ? $"axis {c.Axis} of size {c.Limit}" : $"{c.Limit} classes";
        if (!(MathF.Floor(value) == value))
            return new ArgumentException($"{c.Op}: index {v} at position {position} is not a whole number ({range}, {c.ShapeName} shape {c.Shape}).");
        if (value < 0)
            return new IndexOutOfRangeException(
                $"{c.Op}: index {v} at position {position} is negative; indices must lie in [0, {c.Limit}) for {range} ({c.ShapeName} shape {c.Shape}).");
        return new IndexOutOfRangeException($"{c.Op}: index {v} at position {position} is out of range for {range} ({c.ShapeName} shape {c.Shape}).");
    }

    /// <summary>A context created for this backend alone, disposed with it.</summary>
    internal Context? OwnedContext { get; init; }

    /// <summary>Frees the pool's cached buffers and the accelerator (and its threads, on the simulator).</summary>
    public void Dispose()
    {
        Pool.Dispose();
        _indexErrors.Dispose();
        _accelerator.Dispose();
        OwnedContext?.Dispose();
    }
}
