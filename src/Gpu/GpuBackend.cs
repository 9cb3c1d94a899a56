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
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _indexErrors;
    private volatile bool _indexCheckPending;

    /// <summary>Creates the backend of <paramref name="device"/> on an ILGPU accelerator it takes ownership of.</summary>
    public GpuBackend(Device device, Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(accelerator);
        Device = device;
        _accelerator = accelerator;
        Pool = new DeviceMemoryPool(accelerator, device.Name);
        _indexErrors = accelerator.Allocate1D<int>(4);
        _indexErrors.MemSetToZero(accelerator.DefaultStream);

        // Reductions use power-of-two groups; 256 threads fill a GPU multiprocessor in 8 groups, while the CPU
        // simulator runs each group's threads as OS threads and is fastest with small groups.
        int maxThreads = accelerator.MaxNumThreadsPerGroup;
        GroupSize = Math.Min(GroupReduce.MaxGroupSize, 1 << (31 - int.LeadingZeroCount(maxThreads)));
        int perMultiprocessor = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / GroupSize);
        ResidentGroups = Math.Max(1, accelerator.NumMultiprocessors * perMultiprocessor);
        UsesLargeTiles = GroupSize >= 256;
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
    /// When true, an indexing op waits for its kernel and throws on a bad index right away (one small read per op);
    /// when false (the default), the error is raised at the next <see cref="Synchronize"/> or <see cref="Download"/>,
    /// so a training step never waits for the device in the middle.
    /// </summary>
    public bool CheckIndicesEagerly { get; set; }

    /// <summary>Threads per group of every launch.</summary>
    internal int GroupSize { get; }

    /// <summary>Groups that fit on the device at once; grid-stride launches use at most this many.</summary>
    internal int ResidentGroups { get; }

    /// <summary>True for the 64x64 GEMM tile, false for the 16x16 tile used with small groups.</summary>
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

    internal ArrayView<int> IndexErrorView
    {
        get
        {
            _indexCheckPending = true;
            return _indexErrors.View;
        }
    }

    /// <summary>Called after queuing an indexing kernel.</summary>
    private void AfterIndexKernel()
    {
        if (CheckIndicesEagerly)
        {
            Stream.Synchronize();
            ThrowIndexErrors();
        }
    }

    private void ThrowIndexErrors()
    {
        if (!_indexCheckPending) return;
        _indexCheckPending = false;
        Statistics.ErrorCheck();
        var flag = new int[4];
        _indexErrors.View.CopyToCPU(Stream, flag.AsSpan());
        Stream.Synchronize();
        if (flag[0] == 0) return;
        _indexErrors.MemSetToZero(Stream);
        float value = BitConverter.Int32BitsToSingle(flag[2]);
        throw new IndexOutOfRangeException(
            $"{IndexErrors.OpName(flag[0])}: index {value} at position {flag[1]} is out of range for a dimension of size {flag[3]} " +
            $"(on {Device}; the element was skipped and the error raised when the device was next waited for).");
    }

    /// <summary>Frees the pool's cached buffers and the accelerator.</summary>
    public void Dispose()
    {
        Pool.Dispose();
        _indexErrors.Dispose();
        _accelerator.Dispose();
    }
}
