using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Applies transforms one after another, in the order given, all drawing from the one generator the loader passes (so the
/// whole pipeline is reproducible from the loader's seed). An empty composition leaves samples unchanged.
/// </summary>
public sealed class Compose : ISampleTransform
{
    private readonly ISampleTransform[] _transforms;

    /// <summary>Creates the pipeline.</summary>
    public Compose(params ISampleTransform[] transforms)
    {
        for (int i = 0; i < transforms.Length; i++)
            if (transforms[i] is null) throw new ArgumentNullException(nameof(transforms), $"Compose: transform {i} is null.");
        _transforms = transforms.ToArray();
    }

    /// <summary>The transforms, in order.</summary>
    public IReadOnlyList<ISampleTransform> Transforms => _transforms;

    /// <inheritdoc/>
    public void Apply(Span<float> sample, Shape shape, Generator generator)
    {
        foreach (var t in _transforms) t.Apply(sample, shape, generator);
    }

    /// <inheritdoc/>
    public override string ToString() => _transforms.Length == 0 ? "Compose()" : $"Compose({string.Join(", ", _transforms.Select(t => t.ToString()))})";
}
