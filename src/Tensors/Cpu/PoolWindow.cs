namespace NetFromScratch.Tensors.Cpu;

/// <summary>Where each pooling window meets the input along one axis, worked out once per call instead of per element.</summary>
internal static class PoolWindow
{
    /// <summary>
    /// For each output position, the first tap inside the input and the end of the window clipped to the input,
    /// for a max-pooling window (taps <paramref name="dilation"/> apart; step through with that dilation).
    /// </summary>
    public static (int Start, int End)[] Starts(int outSize, int size, int kernel, int stride, int pad, int dilation)
    {
        var r = new (int, int)[outSize];
        for (int o = 0; o < outSize; o++)
        {
            int start = o * stride - pad;
            int end = Math.Min(start + (kernel - 1) * dilation + 1, size);
            if (start < 0) start += (-start + dilation - 1) / dilation * dilation;
            r[o] = (start, end);
        }
        return r;
    }

    /// <summary>
    /// For each output position of an average-pooling window: the clipped input range <c>[Start, End)</c> and the
    /// window's extent counting padding (<c>Padded</c>), clipped to the padded input as PyTorch does in ceil mode.
    /// </summary>
    public static (int Start, int End, int Padded)[] Spans(int outSize, int size, int kernel, int stride, int pad)
    {
        var r = new (int, int, int)[outSize];
        for (int o = 0; o < outSize; o++)
        {
            int start = o * stride - pad;
            int end = Math.Min(start + kernel, size + pad);
            int padded = end - start;
            r[o] = (Math.Max(start, 0), Math.Min(end, size), padded);
        }
        return r;
    }
}
