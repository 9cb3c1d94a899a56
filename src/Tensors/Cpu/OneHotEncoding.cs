namespace NetFromScratch.Tensors.Cpu;

/// <summary>One-hot encoding of class numbers.</summary>
internal static class OneHotEncoding
{
    /// <summary>Row <c>r</c> of y is zero except a 1 at <c>index[r]</c>. Shape: index <c>[*]</c> contiguous, y <c>[*, classes]</c> contiguous.</summary>
    public static void Encode(Tensor index, int classes, Tensor y)
    {
        IndexCheck.Validate(index, classes, "OneHot", -1, "index", index.Shape);
        var id = StridedView.DataOf(index);
        var yd = StridedView.DataOf(y);
        int io = index.Offset, yo = y.Offset;
        CpuParallel.For(index.Numel, classes, (r0, r1) =>
        {
            yd.AsSpan(yo + r0 * classes, (r1 - r0) * classes).Clear();
            for (int r = r0; r < r1; r++) yd[yo + r * classes + (int)id[io + r]] = 1f;
        });
    }
}
