namespace NetFromScratch.Tensors.Cpu;

/// <summary>How the CPU convolution passes divide their work among threads (see <see cref="Convolution"/>).</summary>
internal enum ConvSchedule
{
    /// <summary>Images spread across threads; each runs im2col and a single-threaded GEMM of its own.</summary>
    ImagePerThread,

    /// <summary>Several small images unfolded side by side into one wide column matrix; the GEMM runs on every thread.</summary>
    BatchedColumns,

    /// <summary>One image after another, each with a GEMM that runs on every thread.</summary>
    ImageAtATime,
}
