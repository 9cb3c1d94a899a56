namespace NetFromScratch.Tensors;

/// <summary>
/// A flat buffer of float32 elements owned by one device. Several tensors (views) may share one storage;
/// it is returned to its device's pool when the last tensor using it is disposed.
/// </summary>
public abstract class TensorStorage
{
    private int _references;

    /// <summary>Creates storage of <paramref name="length"/> elements on <paramref name="device"/>.</summary>
    protected TensorStorage(Device device, int length)
    {
        Device = device;
        Length = length;
    }

    /// <summary>The device that holds the buffer.</summary>
    public Device Device { get; }

    /// <summary>Number of float32 elements.</summary>
    public int Length { get; }

    /// <summary>True once the buffer went back to the pool; using it then is a bug.</summary>
    public bool IsReleased { get; private set; }

    internal void Retain() => Interlocked.Increment(ref _references);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0 && !IsReleased)
        {
            IsReleased = true;
            ReturnToPool();
        }
    }

    /// <summary>Gives the buffer back to the device's pool; called once, when no tensor uses it any more.</summary>
    protected abstract void ReturnToPool();
}
