namespace NetFromScratch.Tensors.Cpu;

/// <summary>Fills a contiguous tensor from the Philox stream; element i uses counter <c>counter + i</c>.</summary>
internal static class RandomFill
{
    public static void Fill(Tensor output, RandomDistribution distribution, ulong seed, ulong counter, float a, float b)
    {
        float[] y = StridedView.DataOf(output);
        int off = output.Offset;
        CpuParallel.For(output.Numel, 32, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
                y[off + i] = Philox.Sample(distribution, seed, counter + (ulong)i, a, b);
        });
    }
}
