namespace NetFromScratch.Gpu;

/// <summary>
/// The device could not hold a new buffer even after the pool released its cached buffers. The message gives
/// the size asked for, what the device reported free, and what this process holds.
/// </summary>
public sealed class GpuOutOfMemoryException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public GpuOutOfMemoryException(string device, long requestedBytes, long freeBytes, long inUseBytes, Exception? inner = null)
        : base(Describe(device, requestedBytes, freeBytes, inUseBytes), inner)
    {
        RequestedBytes = requestedBytes;
        FreeBytes = freeBytes;
        InUseBytes = inUseBytes;
    }

    /// <summary>Size of the allocation that failed.</summary>
    public long RequestedBytes { get; }

    /// <summary>Free device memory when it failed (or the remaining budget when a limit is set); -1 if unknown.</summary>
    public long FreeBytes { get; }

    /// <summary>Bytes held by live tensors of this backend.</summary>
    public long InUseBytes { get; }

    private static string Describe(string device, long requested, long free, long inUse) =>
        $"{device}: out of memory: asked for {Format(requested)}, {(free >= 0 ? Format(free) : "an unknown amount")} free, " +
        $"{Format(inUse)} held by live tensors. Use a smaller batch, dispose tensors you no longer need, or train on another device.";

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes} B",
    };
}
