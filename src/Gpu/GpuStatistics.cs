namespace NetFromScratch.Gpu;

/// <summary>
/// Counters of one GPU backend: host transfers, device allocations and kernel launches. Tests and benchmarks
/// read them to prove that a sequence of ops moves no data through the host and that a steady training step
/// allocates no device memory.
/// </summary>
public sealed class GpuStatistics
{
    private long _uploads, _downloads, _uploadedBytes, _downloadedBytes, _launches, _synchronizations, _errorChecks;

    /// <summary>Host-to-device copies of tensor data.</summary>
    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>Device-to-host copies of tensor data.</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>Bytes copied host-to-device.</summary>
    public long UploadedBytes => Interlocked.Read(ref _uploadedBytes);

    /// <summary>Bytes copied device-to-host.</summary>
    public long DownloadedBytes => Interlocked.Read(ref _downloadedBytes);

    /// <summary>Kernels queued.</summary>
    public long KernelLaunches => Interlocked.Read(ref _launches);

    /// <summary>Times the host waited for the device.</summary>
    public long Synchronizations => Interlocked.Read(ref _synchronizations);

    /// <summary>Reads of the 16-byte index-error flag (done only after an indexing kernel ran).</summary>
    public long ErrorChecks => Interlocked.Read(ref _errorChecks);

    /// <summary>All transfers in either direction, tensor data only.</summary>
    public long Transfers => Uploads + Downloads;

    internal void Upload(long bytes) { Interlocked.Increment(ref _uploads); Interlocked.Add(ref _uploadedBytes, bytes); }
    internal void Download(long bytes) { Interlocked.Increment(ref _downloads); Interlocked.Add(ref _downloadedBytes, bytes); }
    internal void Launch() => Interlocked.Increment(ref _launches);
    internal void Synchronize() => Interlocked.Increment(ref _synchronizations);
    internal void ErrorCheck() => Interlocked.Increment(ref _errorChecks);

    /// <inheritdoc/>
    public override string ToString() =>
        $"uploads {Uploads} ({UploadedBytes} B), downloads {Downloads} ({DownloadedBytes} B), launches {KernelLaunches}, synchronizations {Synchronizations}";
}
