namespace NetFromScratch.Tensors.Cpu;

/// <summary>How the CPU convolution passes divide their work among threads (see <see cref="Convolution"/>).</summary>
internal enum ConvSchedule
{
    /// <summary>
    /// Images split across threads; each thread unfolds a few of its images at a time into its own column buffer and
    /// runs a single-threaded GEMM on them.
    /// </summary>
    PerThread,

    /// <summary>Several small images unfolded side by side into one wide column matrix; the GEMM runs on every thread.</summary>
    BatchedColumns,

    /// <summary>One image after another, each with a GEMM that runs on every thread.</summary>
    ImageAtATime,
}
