using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// One mini-batch. Shape: <see cref="Inputs"/> <c>[B, *sampleShape]</c>, <see cref="Targets"/> <c>[B]</c> (class numbers as floats).
/// Disposing it returns both buffers to the device pool.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor inputs, Tensor targets)
    {
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>The samples.</summary>
    public Tensor Inputs { get; }

    /// <summary>The labels.</summary>
    public Tensor Targets { get; }

    /// <summary>Number of samples in this batch (the last may be smaller).</summary>
    public int Size => Targets.Numel;

    /// <inheritdoc/>
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}
