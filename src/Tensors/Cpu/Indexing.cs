namespace NetFromScratch.Tensors.Cpu;

/// <summary>Indexing kernels: gather, scatter-add, index-select, index-add, one-hot and padding.</summary>
internal static class Indexing
{
    public static void Gather(Tensor x, int axis, Tensor index, Tensor y) => throw new NotImplementedException("Gather");
    public static void ScatterAdd(Tensor target, int axis, Tensor index, Tensor source) => throw new NotImplementedException("ScatterAdd");
    public static void IndexSelect(Tensor x, int axis, Tensor index, Tensor y) => throw new NotImplementedException("IndexSelect");
    public static void IndexAdd(Tensor target, int axis, Tensor index, Tensor source) => throw new NotImplementedException("IndexAdd");
    public static void OneHot(Tensor index, int classes, Tensor y) => throw new NotImplementedException("OneHot");
    public static void Pad(Tensor x, ReadOnlySpan<int> pads, PadMode mode, float value, Tensor y) => throw new NotImplementedException("Pad");
    public static void PadBackward(Tensor gradY, ReadOnlySpan<int> pads, PadMode mode, Tensor gradX) => throw new NotImplementedException("PadBackward");
}
