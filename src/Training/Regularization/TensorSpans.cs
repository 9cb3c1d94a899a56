using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Training.Regularization;

/// <summary>Direct access to the elements of contiguous CPU tensors, for the allocation-free loops of this layer.</summary>
internal static class TensorSpans
{
    /// <summary>The elements of <paramref name="t"/> when it is a contiguous CPU tensor.</summary>
    public static bool TryGet(Tensor t, out Span<float> span)
    {
        if (t.Storage is CpuStorage cpu && t.IsContiguous)
        {
            span = cpu.Data.AsSpan(t.Offset, t.Numel);
            return true;
        }
        span = default;
        return false;
    }
}
