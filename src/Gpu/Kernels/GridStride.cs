using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Grid-stride loops: a launch covers any amount of work with a fixed number of threads, each thread taking
/// elements <c>start, start + step, ...</c>. Consecutive threads touch consecutive elements, so loads coalesce.
/// </summary>
internal static class GridStride
{
    /// <summary>This thread's first element.</summary>
    public static int Start => Grid.GlobalIndex.X;

    /// <summary>Threads in the whole launch.</summary>
    public static int Step => Grid.DimX * Group.DimX;
}
