using BenchmarkDotNet.Attributes;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// Per-sample cost of augmentation pipelines on one 32x32 RGB image, single thread, with a fresh generator per sample as
/// the loader makes one: <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*Augmentation*'</c>.
/// Samples per second = 1e9 / mean ns.
/// </summary>
[MemoryDiagnoser]
public class AugmentationBenchmarks
{
    private static readonly Shape Cifar = new(3, 32, 32);
    private float[] _original = Array.Empty<float>();
    private readonly float[] _sample = new float[3 * 32 * 32];
    private ulong _counter;
    private ISampleTransform _transform = new Compose();

    /// <summary>The pipeline, in <see cref="AugmentationSpec"/> syntax.</summary>
    [Params("crop:4,flip,jitter:0.2", "crop:4,flip", "jitter:0.4", "rotate:15", "resizedcrop", "cutout:16")]
    public string Spec { get; set; } = "";

    /// <summary>Builds the pipeline and one sample image.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _transform = AugmentationSpec.Parse(Spec);
        _original = new float[Cifar.Numel];
        new ShapesDataset(1, seed: 1).CopySample(0, _original);
    }

    /// <summary>Copies the sample in (as the loader does) and augments it.</summary>
    [Benchmark]
    public void AugmentOneSample()
    {
        _original.CopyTo(_sample, 0);
        _transform.Apply(_sample, Cifar, new Generator(7, ++_counter << 20));
    }
}
