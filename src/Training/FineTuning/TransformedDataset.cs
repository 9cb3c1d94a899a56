using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// A data set whose samples pass through a deterministic transform as they are copied out (normalisation of a
/// validation set, which the trainer's evaluation loader does not transform). The transform gets the same fixed
/// generator for every sample, so it must not be random augmentation.
/// Shape: as the inner data set.
/// </summary>
public sealed class TransformedDataset : IDataset
{
    private readonly IDataset _inner;
    private readonly ISampleTransform _transform;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public TransformedDataset(IDataset inner, ISampleTransform transform)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(transform);
        _inner = inner;
        _transform = transform;
    }

    /// <summary>The wrapped data set.</summary>
    public IDataset Inner => _inner;

    /// <inheritdoc/>
    public int Count => _inner.Count;

    /// <inheritdoc/>
    public Shape SampleShape => _inner.SampleShape;

    /// <inheritdoc/>
    public int ClassCount => _inner.ClassCount;

    /// <inheritdoc/>
    public int CopySample(int index, Span<float> destination)
    {
        int label = _inner.CopySample(index, destination);
        _transform.Apply(destination[..SampleShape.Numel], SampleShape, new Generator(0, (ulong)index << 20));
        return label;
    }
}
