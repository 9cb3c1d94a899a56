namespace NetFromScratch.Nn.Layers;

/// <summary>Batch normalisation of <c>[N, C]</c> or <c>[N, C, L]</c> inputs. Shape: unchanged.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, 2);
