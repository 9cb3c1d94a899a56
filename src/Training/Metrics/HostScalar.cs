using NetFromScratch.Tensors;
using NetFromScratch.Training.Regularization;

namespace NetFromScratch.Training.Metrics;

/// <summary>Reads a one-element tensor without allocating when it lives in CPU memory (Item() copies through a new array).</summary>
internal static class HostScalar
{
    public static float Read(Tensor t) => TensorSpans.TryGet(t, out var s) && s.Length == 1 ? s[0] : t.Item();
}
