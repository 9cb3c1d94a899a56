namespace NetFromScratch.Tensors.Cpu;

/// <summary>Storage in a managed float array; the array comes from and returns to the CPU backend's <see cref="BufferPool"/>.</summary>
public sealed class CpuStorage : TensorStorage
{
    private readonly BufferPool _pool;

    internal CpuStorage(Device device, float[] data, int length, BufferPool pool) : base(device, length)
    {
        Data = data;
        _pool = pool;
    }

    /// <summary>The elements; the array may be longer than <see cref="TensorStorage.Length"/>.</summary>
    public float[] Data { get; }

    /// <inheritdoc/>
    protected override void ReturnToPool() => _pool.Return(Data);
}
