using System.Collections.Concurrent;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Recycles float arrays by exact length, so that a training step that allocates the same shapes every
/// iteration stops allocating after the first one. Bounded: at most <see cref="MaxPerLength"/> arrays per length
/// and <see cref="MaxPooledElements"/> elements in all are kept; the rest are left to the garbage collector.
/// </summary>
public sealed class BufferPool
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _buckets = new();
    private long _pooledElements;

    /// <summary>
    /// Arrays kept per distinct length. A deep network holds many activations and gradients of one shape during a step
    /// (ResNet-18 has over 16 tensors of [8, 64, 56, 56] alive at once); arrays beyond this bound go to the garbage
    /// collector and come back next step as fresh pages the kernel must zero.
    /// </summary>
    public int MaxPerLength { get; set; } = 64;

    /// <summary>Total elements kept across all lengths (default 256 Mi floats = 1 GiB).</summary>
    public long MaxPooledElements { get; set; } = 256L * 1024 * 1024;

    /// <summary>Arrays handed out that came from the pool rather than a new allocation.</summary>
    public long Hits => Interlocked.Read(ref _hits);
    private long _hits;

    /// <summary>An array of exactly <paramref name="length"/> elements, zeroed when asked.</summary>
    public float[] Rent(int length, bool zero)
    {
        if (length == 0) return Array.Empty<float>();
        if (_buckets.TryGetValue(length, out var bag) && bag.TryTake(out var array))
        {
            Interlocked.Add(ref _pooledElements, -length);
            Interlocked.Increment(ref _hits);
            if (zero) Array.Clear(array);
            return array;
        }
        return zero ? new float[length] : GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives an array back; it may be handed out again by <see cref="Rent"/>.</summary>
    public void Return(float[] array)
    {
        if (array.Length == 0) return;
        if (Interlocked.Read(ref _pooledElements) + array.Length > MaxPooledElements) return;
        var bag = _buckets.GetOrAdd(array.Length, _ => new ConcurrentBag<float[]>());
        if (bag.Count >= MaxPerLength) return;
        bag.Add(array);
        Interlocked.Add(ref _pooledElements, array.Length);
    }

    /// <summary>Drops every pooled array.</summary>
    public void Clear()
    {
        _buckets.Clear();
        Interlocked.Exchange(ref _pooledElements, 0);
    }
}
