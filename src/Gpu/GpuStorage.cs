using ILGPU;
using ILGPU.Runtime;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

/// <summary>
/// Tensor storage in device memory: a pooled ILGPU buffer (possibly longer than <see cref="TensorStorage.Length"/>,
/// see <see cref="DeviceMemoryPool.SizeClass"/>). The buffer goes back to the pool when the last view is disposed,
/// or, for tensors nobody disposed, when the garbage collector finalises this object.
/// </summary>
public sealed class GpuStorage : TensorStorage
{
    private readonly DeviceMemoryPool _pool;
    private int _returned;

    internal GpuStorage(Device device, MemoryBuffer1D<float, Stride1D.Dense> buffer, int length, DeviceMemoryPool pool)
        : base(device, length)
    {
        Buffer = buffer;
        _pool = pool;
    }

    /// <summary>Releases the buffer of a tensor that was never disposed.</summary>
    ~GpuStorage()
    {
        try
        {
            GiveBack();
        }
        catch (Exception)
        {
            // At process exit the pool may be gone already; a finalizer must never throw.
        }
    }

    internal MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; }

    /// <summary>The whole buffer as a kernel argument; element offsets come from the tensor view.</summary>
    internal ArrayView<float> View => Buffer.View;

    /// <inheritdoc/>
    protected override void ReturnToPool()
    {
        GiveBack();
        GC.SuppressFinalize(this);
    }

    private void GiveBack()
    {
        // Kernels already queued on the stream may still read the buffer; work queued later runs after them on the
        // same in-order stream, so reusing the buffer for a later op is safe.
        if (Interlocked.Exchange(ref _returned, 1) == 0) _pool.Return(Buffer);
    }
}
