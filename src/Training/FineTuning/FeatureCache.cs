using System.Diagnostics;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Runs a frozen backbone once over a data set and keeps what it outputs, so that every later epoch trains only the
/// head on the stored features (the classic "extract features, then fit a classifier" recipe). It is exact only while
/// nothing before the head trains and the inputs are the same every epoch: a frozen backbone (BatchNorm then uses
/// its running statistics) and no random augmentation. The backbone runs in evaluation mode without gradients, so
/// dropout inside it is off, as at test time; where it can, it runs compiled (<see cref="FrozenBackbone"/>: BatchNorm
/// folded into the convolutions, intermediates released at once).
/// Shape: samples <c>[C, H, W]</c> in; features as the head takes them (<c>[512]</c> for ResNet-18) out.
/// </summary>
public static class FeatureCache
{
    /// <summary>
    /// The features of every sample of <paramref name="data"/>, with its labels, in its order. A deterministic
    /// <paramref name="transform"/> (normalisation) is applied to each sample first, as the loader would.
    /// </summary>
    /// <param name="layout">The model split whose <see cref="BackboneLayout.ForwardFeatures"/> is run.</param>
    /// <param name="data">The samples.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="device">Where the backbone runs (default: the CPU).</param>
    /// <param name="transform">A deterministic per-sample transform, or null.</param>
    /// <param name="name">The name of the returned data set.</param>
    /// <exception cref="InvalidOperationException">The layout cannot run the backbone on its own.</exception>
    public static InMemoryDataset Compute(BackboneLayout layout, IDataset data, int batchSize = 32, Device? device = null,
        ISampleTransform? transform = null, string name = "features")
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(data);
        if (!layout.HasFeatures)
            throw new InvalidOperationException($"FeatureCache: {layout.Architecture} cannot be split before its head, so its features cannot be cached.");
        if (batchSize < 1) throw new ArgumentException($"FeatureCache: batch size must be at least 1, got {batchSize}.");
        var model = layout.Model;
        bool wasTraining = model.IsTraining;
        model.Eval();
        float[]? features = null;
        var labels = new int[data.Count];
        Shape featureShape = default;
        int featureSize = 0;
        try
        {
            var loader = new DataLoader(data, batchSize, shuffle: false, dropLast: false, prefetch: 1, device: device, transform: transform);
            var compiled = FrozenBackbone.TryCompile(layout);
            int offset = 0;
            foreach (var batch in loader)
            {
                using (batch)
                using (InferenceMode.Enter())
                {
                    var output = compiled is null ? layout.ForwardFeatures(new Variable(batch.Inputs)) : new Variable(compiled.Forward(batch.Inputs));
                    var values = output.Data.ToArray();
                    if (features is null)
                    {
                        featureShape = new Shape(output.Shape.Dims[1..].ToArray());
                        featureSize = featureShape.Numel;
                        features = new float[checked((long)featureSize * data.Count) <= Array.MaxLength ? featureSize * data.Count
                            : throw new InvalidOperationException($"FeatureCache: {data.Count} feature vectors of shape {featureShape} do not fit in one array.")];
                    }
                    values.AsSpan().CopyTo(features.AsSpan(offset * featureSize));
                    var targets = batch.Targets.ToArray();
                    for (int i = 0; i < batch.Size; i++) labels[offset + i] = (int)targets[i];
                    offset += batch.Size;
                    if (!ReferenceEquals(output.Data, batch.Inputs)) output.Data.Dispose();
                }
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return new InMemoryDataset(features!, labels, featureShape, data.ClassCount, name);
    }

    /// <summary>As <see cref="Compute"/>, also returning the seconds it took.</summary>
    public static (InMemoryDataset Features, double Seconds) ComputeTimed(BackboneLayout layout, IDataset data, int batchSize = 32,
        Device? device = null, ISampleTransform? transform = null, string name = "features")
    {
        var clock = Stopwatch.StartNew();
        var result = Compute(layout, data, batchSize, device, transform, name);
        return (result, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Whether a transform leaves every epoch's inputs the same (none, or only <see cref="Augmentation.Normalize"/>,
    /// possibly inside a <see cref="Augmentation.Compose"/>), so that features computed once stay valid.
    /// </summary>
    public static bool IsDeterministic(ISampleTransform? transform) => transform switch
    {
        null => true,
        Augmentation.Normalize => true,
        Augmentation.Compose c => c.Transforms.All(IsDeterministic),
        _ => false,
    };
}
