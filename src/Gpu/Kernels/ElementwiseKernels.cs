using ILGPU;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Elementwise kernels over strided views. Every operand has its own <see cref="StridedLayout"/> over the same
/// row-major index space of <c>count</c> elements; a dense layout costs one multiply-add per element.
/// </summary>
internal static class ElementwiseKernels
{
    /// <summary><c>y = x</c>, bit for bit.</summary>
    /// <param name="x">Source layout.</param>
    /// <param name="y">Destination layout.</param>
    /// <param name="count">Elements to copy.</param>
    /// <param name="xs">Source buffer.</param>
    /// <param name="ys">Destination buffer.</param>
    public static void Copy(StridedLayout x, StridedLayout y, int count, ArrayView<float> xs, ArrayView<float> ys)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
            ys[y.ElementOffset(i)] = xs[x.ElementOffset(i)];
    }

    /// <summary><c>y = value</c>.</summary>
    public static void Fill(StridedLayout y, int count, ArrayView<float> ys, float value)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
            ys[y.ElementOffset(i)] = value;
    }

    /// <summary><c>y = op(x; a, b)</c> with <paramref name="op"/> a <see cref="Tensors.UnaryOp"/>.</summary>
    public static void Unary(StridedLayout x, StridedLayout y, int count, ArrayView<float> xs, ArrayView<float> ys, int op, float a, float b)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
            ys[y.ElementOffset(i)] = DeviceMath.Unary(op, xs[x.ElementOffset(i)], a, b);
    }

    /// <summary><c>y = op(a, b)</c> with <paramref name="op"/> a <see cref="Tensors.BinaryOp"/>.</summary>
    public static void Binary(StridedLayout a, StridedLayout b, StridedLayout y, int count,
        ArrayView<float> av, ArrayView<float> bv, ArrayView<float> yv, int op)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
            yv[y.ElementOffset(i)] = DeviceMath.Binary(op, av[a.ElementOffset(i)], bv[b.ElementOffset(i)]);
    }

    /// <summary><c>y = c != 0 ? a : b</c>.</summary>
    public static void Where(StridedLayout c, StridedLayout a, StridedLayout b, StridedLayout y, int count,
        ArrayView<float> cv, ArrayView<float> av, ArrayView<float> bv, ArrayView<float> yv)
    {
        for (int i = GridStride.Start; i < count; i += GridStride.Step)
            yv[y.ElementOffset(i)] = cv[c.ElementOffset(i)] != 0f ? av[a.ElementOffset(i)] : bv[b.ElementOffset(i)];
    }
}
