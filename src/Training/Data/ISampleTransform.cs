using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// Changes one sample in place as the loader assembles a batch (augmentation). Runs on the loader's background thread;
/// the generator it is given is seeded per epoch and sample, so a run is reproducible whatever the timing.
/// </summary>
public interface ISampleTransform
{
    /// <summary>Transforms <paramref name="sample"/> (layout <paramref name="shape"/>) in place.</summary>
    void Apply(Span<float> sample, Shape shape, Generator generator);
}
