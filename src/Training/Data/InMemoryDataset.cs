using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// Samples held in one flat float array with integer labels.
/// Shape: features are <c>[Count, *SampleShape]</c> row-major; labels <c>[Count]</c>.
/// </summary>
public sealed class InMemoryDataset : IDataset
{
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int _sampleSize;

    /// <summary>Wraps existing arrays (not copied).</summary>
    /// <exception cref="ArgumentException">Sizes disagree or a label is outside 0..classCount-1.</exception>
    public InMemoryDataset(float[] features, int[] labels, Shape sampleShape, int classCount, string name = "dataset")
    {
        _sampleSize = sampleShape.Numel;
        if (_sampleSize == 0 || features.Length != labels.Length * _sampleSize)
            throw new ArgumentException($"{name}: {features.Length} feature values do not make {labels.Length} samples of shape {sampleShape}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classCount)
                throw new ArgumentException($"{name}: label {labels[i]} of sample {i} is outside 0..{classCount - 1}.");
        _features = features;
        _labels = labels;
        SampleShape = sampleShape;
        ClassCount = classCount;
        Name = name;
    }

    /// <summary>A readable name used in messages.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public Shape SampleShape { get; }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <summary>The labels.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <inheritdoc/>
    public int CopySample(int index, Span<float> destination)
    {
        _features.AsSpan(index * _sampleSize, _sampleSize).CopyTo(destination);
        return _labels[index];
    }

    /// <summary>The samples at <paramref name="indices"/>, copied into a new data set.</summary>
    public InMemoryDataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        var f = new float[indices.Count * _sampleSize];
        var l = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            l[i] = CopySample(indices[i], f.AsSpan(i * _sampleSize, _sampleSize));
        }
        return new InMemoryDataset(f, l, SampleShape, ClassCount, name ?? Name);
    }

    /// <summary>
    /// Splits off a validation set: a seeded shuffle, then the last <paramref name="fraction"/> of samples.
    /// </summary>
    public (InMemoryDataset Train, InMemoryDataset Validation) Split(double fraction, ulong seed)
    {
        if (fraction <= 0 || fraction >= 1) throw new ArgumentException($"{Name}: validation fraction must be in (0, 1), got {fraction}.");
        var order = Permutation.Shuffled(Count, new Generator(seed));
        int nVal = Math.Max(1, (int)Math.Round(Count * fraction));
        return (Subset(order[..^nVal], Name + "/train"), Subset(order[^nVal..], Name + "/val"));
    }

    /// <summary>
    /// Scales every feature in place: <c>x = (x - mean) / std</c>.
    /// </summary>
    public void Normalize(float mean, float std)
    {
        if (std <= 0) throw new ArgumentException($"{Name}: std must be positive, got {std}.");
        float inv = 1f / std;
        for (int i = 0; i < _features.Length; i++) _features[i] = (_features[i] - mean) * inv;
    }
}
