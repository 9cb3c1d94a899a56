using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Some samples of another data set, in a given order, optionally with their labels renumbered (classes 5-9 of a set
/// become 0-4 of a new task). Nothing is copied: samples are read from the inner set on demand.
/// Shape: as the inner data set.
/// </summary>
public sealed class SubsetDataset : IDataset
{
    private readonly IDataset _inner;
    private readonly int[] _indices;
    private readonly int[] _labels;
    private readonly Func<int, int>? _relabel;

    /// <summary>Takes the samples of <paramref name="inner"/> at <paramref name="indices"/>, whose labels are <paramref name="labels"/> (before relabelling).</summary>
    /// <param name="inner">The full data set.</param>
    /// <param name="indices">Which samples, in order.</param>
    /// <param name="labels">The label of every sample of <paramref name="inner"/> (index by inner index).</param>
    /// <param name="classCount">Classes of this subset (labels after relabelling are below it).</param>
    /// <param name="relabel">Maps an inner label to this subset's, or null to keep it.</param>
    /// <exception cref="ArgumentException">An index or a (relabelled) label is out of range.</exception>
    public SubsetDataset(IDataset inner, IReadOnlyList<int> indices, IReadOnlyList<int> labels, int classCount, Func<int, int>? relabel = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(labels);
        _inner = inner;
        _indices = indices.ToArray();
        _relabel = relabel;
        ClassCount = classCount;
        _labels = new int[_indices.Length];
        for (int i = 0; i < _indices.Length; i++)
        {
            int index = _indices[i];
            if ((uint)index >= (uint)inner.Count) throw new ArgumentException($"SubsetDataset: index {index} is outside 0..{inner.Count - 1}.");
            int label = relabel is null ? labels[index] : relabel(labels[index]);
            if ((uint)label >= (uint)classCount) throw new ArgumentException($"SubsetDataset: sample {index} has label {label}, outside 0..{classCount - 1}.");
            _labels[i] = label;
        }
    }

    /// <inheritdoc/>
    public int Count => _indices.Length;

    /// <inheritdoc/>
    public Shape SampleShape => _inner.SampleShape;

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <summary>The labels, in this subset's order.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <inheritdoc/>
    public int CopySample(int index, Span<float> destination)
    {
        int label = _inner.CopySample(_indices[index], destination);
        return _relabel is null ? label : _relabel(label);
    }

    /// <summary>
    /// Splits <paramref name="inner"/> into training and validation subsets with the same class proportions: each class's
    /// samples are shuffled (seeded) and the last <paramref name="fraction"/> of them, at least one when the class has
    /// two or more, go to validation.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is not in (0, 1).</exception>
    public static (SubsetDataset Train, SubsetDataset Validation) StratifiedSplit(IDataset inner, IReadOnlyList<int> labels, double fraction, ulong seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"StratifiedSplit: the validation fraction must be in (0, 1), got {fraction}.");
        var train = new List<int>();
        var validation = new List<int>();
        var generator = new Generator(seed);
        foreach (var group in Enumerable.Range(0, inner.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            var order = Permutation.Shuffled(members.Length, generator);
            int nVal = members.Length < 2 ? 0 : Math.Clamp((int)Math.Round(members.Length * fraction), 1, members.Length - 1);
            for (int k = 0; k < members.Length; k++) (k < members.Length - nVal ? train : validation).Add(members[order[k]]);
        }
        train.Sort();
        validation.Sort();
        return (new SubsetDataset(inner, train, labels, inner.ClassCount), new SubsetDataset(inner, validation, labels, inner.ClassCount));
    }

    /// <summary>
    /// The first <paramref name="perClass"/> samples (in index order) of each class in <paramref name="classes"/>,
    /// relabelled 0, 1, ... in the order of <paramref name="classes"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A class has fewer than <paramref name="perClass"/> samples.</exception>
    public static SubsetDataset PerClass(IDataset inner, IReadOnlyList<int> labels, IReadOnlyList<int> classes, int perClass, int skipPerClass = 0)
    {
        var map = new Dictionary<int, int>();
        for (int k = 0; k < classes.Count; k++) map[classes[k]] = k;
        var taken = new int[classes.Count];
        var skipped = new int[classes.Count];
        var indices = new List<int>();
        for (int i = 0; i < inner.Count; i++)
        {
            if (!map.TryGetValue(labels[i], out int k)) continue;
            if (skipped[k] < skipPerClass) { skipped[k]++; continue; }
            if (taken[k] < perClass) { taken[k]++; indices.Add(i); }
        }
        for (int k = 0; k < classes.Count; k++)
            if (taken[k] < perClass)
                throw new ArgumentException($"PerClass: class {classes[k]} has only {taken[k]} samples after skipping {skipPerClass}, {perClass} wanted.");
        return new SubsetDataset(inner, indices, labels, classes.Count, label => map[label]);
    }
}
