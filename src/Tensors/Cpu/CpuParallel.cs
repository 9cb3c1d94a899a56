namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Splits loops across cores only when they are big enough to pay for it: tiny ops run inline on the
/// calling thread. Parallel loops run on the <see cref="ThreadTeam"/>, the same helper threads as the GEMM.
/// </summary>
public static class CpuParallel
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Upper bound on worker threads for every CPU kernel (default: the processor count).</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set => _maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"MaxThreads must be at least 1, got {value}.");
    }

    /// <summary>Elements of simple elementwise work below which a loop stays on one thread.</summary>
    public const int SerialThreshold = 1 << 15;

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over <c>[0, count)</c> in contiguous chunks. <paramref name="workPerItem"/>
    /// estimates the cost of one item in elementary operations; the loop is split only when the total exceeds
    /// <see cref="SerialThreshold"/>.
    /// </summary>
    public static void For(int count, long workPerItem, Action<int, int> body)
    {
        if (count <= 0) return;
        int threads = (int)Math.Min(Math.Min(MaxThreads, count), Math.Max(1, count * Math.Max(workPerItem, 1) / SerialThreshold));
        if (threads <= 1)
        {
            body(0, count);
            return;
        }
        // Chunks are fixed by index, whichever thread takes them, so results do not depend on timing.
        int chunk = (count + threads - 1) / threads;
        int chunks = (count + chunk - 1) / chunk;
        int next = 0;
        ThreadTeam.Run(chunks, () =>
        {
            int t;
            while ((t = Interlocked.Increment(ref next) - 1) < chunks)
                body(t * chunk, Math.Min(count, (t + 1) * chunk));
        });
    }
}
