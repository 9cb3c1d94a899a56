using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace NetFromScratch.Gpu;

/// <summary>
/// Recycles device buffers so that a training step which allocates the same shapes every iteration stops
/// calling the driver after its first iteration. Buffers are bucketed by size class (lengths rounded up to
/// within 12.5%), so slightly different shapes share buckets. When the device runs out, cached buffers are
/// freed and finalisable tensors collected before the request fails with <see cref="GpuOutOfMemoryException"/>.
/// </summary>
public sealed class DeviceMemoryPool : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly string _deviceName;
    // Stacks, not bags: a storage's finalizer returns buffers here, and a finalizer must not touch objects that
    // have finalizers of their own (a bag's thread-local storage may already be gone).
    private readonly ConcurrentDictionary<long, ConcurrentStack<MemoryBuffer1D<float, Stride1D.Dense>>> _buckets = new();
    // Every buffer this pool created and has not freed: keeps buffers alive while only a finalisable storage
    // refers to them, so a storage's finalizer can always hand its buffer back.
    private readonly ConcurrentDictionary<MemoryBuffer1D<float, Stride1D.Dense>, byte> _live = new();
    private long _inUseBytes, _cachedBytes, _allocations, _reuses;
    private bool _disposed;

    internal DeviceMemoryPool(Accelerator accelerator, string deviceName)
    {
        _accelerator = accelerator;
        _deviceName = deviceName;
        LimitBytes = accelerator.AcceleratorType == AcceleratorType.CPU ? long.MaxValue : accelerator.MemorySize;
    }

    /// <summary>
    /// The most bytes live tensors may hold; a request beyond it fails like a real out-of-memory. Defaults to the
    /// device's memory (no limit on the simulator). Lower it to leave room for other processes or to test.
    /// </summary>
    public long LimitBytes { get; set; }

    /// <summary>Bytes held by live tensors (rounded up to size classes).</summary>
    public long InUseBytes => Interlocked.Read(ref _inUseBytes);

    /// <summary>Bytes kept in the pool for reuse.</summary>
    public long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>Buffers obtained from the driver since the pool was created.</summary>
    public long Allocations => Interlocked.Read(ref _allocations);

    /// <summary>Requests served from the pool without the driver.</summary>
    public long Reuses => Interlocked.Read(ref _reuses);

    /// <summary>The capacity actually reserved for a request of <paramref name="length"/> floats.</summary>
    public static long SizeClass(long length)
    {
        if (length <= 256) return 256;
        long top = 1L << (63 - (int)long.LeadingZeroCount(length));
        long step = Math.Max(top / 8, 256);
        return (length + step - 1) / step * step;
    }

    internal MemoryBuffer1D<float, Stride1D.Dense> Rent(long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long capacity = SizeClass(length);
        long bytes = capacity * sizeof(float);
        if (_buckets.TryGetValue(capacity, out var bag) && bag.TryPop(out var cached))
        {
            Interlocked.Add(ref _cachedBytes, -bytes);
            Interlocked.Add(ref _inUseBytes, bytes);
            Interlocked.Increment(ref _reuses);
            return cached;
        }
        var buffer = AllocateWithRetry(capacity, bytes);
        // Tell the garbage collector what this buffer weighs: tensors that were never disposed give their buffers
        // back only when finalised, and device memory they hold should make collections come sooner.
        GC.AddMemoryPressure(bytes);
        _live.TryAdd(buffer, 0);
        Interlocked.Add(ref _inUseBytes, bytes);
        Interlocked.Increment(ref _allocations);
        return buffer;
    }

    internal void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        long bytes = buffer.Length * sizeof(float);
        Interlocked.Add(ref _inUseBytes, -bytes);
        if (_disposed)
        {
            Free(buffer);
            return;
        }
        _buckets.GetOrAdd(buffer.Length, _ => new ConcurrentStack<MemoryBuffer1D<float, Stride1D.Dense>>()).Push(buffer);
        Interlocked.Add(ref _cachedBytes, bytes);
    }

    /// <summary>Frees every cached buffer (live tensors keep theirs).</summary>
    public void Trim()
    {
        foreach (var bag in _buckets.Values)
            while (bag.TryPop(out var buffer))
            {
                Interlocked.Add(ref _cachedBytes, -buffer.Length * sizeof(float));
                Free(buffer);
            }
    }

    private MemoryBuffer1D<float, Stride1D.Dense> AllocateWithRetry(long capacity, long bytes)
    {
        for (int attempt = 0; ; attempt++)
        {
            Exception? failure = null;
            if (InUseBytes + bytes <= LimitBytes)
            {
                try
                {
                    return _accelerator.Allocate1D<float>(capacity);
                }
                catch (Exception e) when (e is AcceleratorException or OutOfMemoryException)
                {
                    failure = e;
                }
            }
            if (attempt == 0)
            {
                // Cached buffers and tensors nobody disposed may be holding the memory: free both and retry once.
                Trim();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Trim();
                continue;
            }
            throw new GpuOutOfMemoryException(_deviceName, bytes, FreeBytes(), InUseBytes, failure);
        }
    }

    private long FreeBytes()
    {
        long budget = LimitBytes == long.MaxValue ? -1 : Math.Max(0, LimitBytes - InUseBytes);
        if (_accelerator is CudaAccelerator cuda)
        {
            try
            {
                long free = cuda.GetFreeMemory();
                return budget < 0 ? free : Math.Min(free, budget);
            }
            catch (Exception e) when (e is AcceleratorException)
            {
                // The query failing must not hide the original error.
            }
        }
        return budget;
    }

    private void Free(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        _live.TryRemove(buffer, out _);
        GC.RemoveMemoryPressure(buffer.Length * sizeof(float));
        buffer.Dispose();
    }

    /// <summary>Frees cached buffers; buffers still used by tensors are freed when those are released.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Trim();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"in use {GpuOutOfMemoryException.Format(InUseBytes)}, cached {GpuOutOfMemoryException.Format(CachedBytes)}, {Allocations} allocations, {Reuses} reuses";
}
