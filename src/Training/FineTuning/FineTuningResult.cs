using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>What a <see cref="FineTuningRun"/> did.</summary>
/// <param name="History">Every epoch's metrics, numbered across the cached and uncached phases.</param>
/// <param name="CachedEpochs">Epochs that trained the head on cached features (0 when nothing was cached).</param>
/// <param name="CacheSeconds">Seconds spent computing the cached features (counted in the first epoch's time).</param>
/// <param name="CacheNote">Why features were or were not cached, in one sentence.</param>
/// <param name="Unfrozen">Blocks unfrozen by the schedule, with the epoch that began with each.</param>
public sealed record FineTuningResult(TrainingHistory History, int CachedEpochs, double CacheSeconds, string CacheNote,
    IReadOnlyList<(int Epoch, BackboneBlock Block)> Unfrozen);
