using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Passes a phase's epochs and steps on to a <see cref="FineTuningRun"/>'s listeners, renumbered as epochs of the whole
/// run, and collects the renumbered metrics.
/// </summary>
internal sealed class EpochRelay(int offset, double firstEpochExtraSeconds, FineTuningOptions options, TrainingHistory history) : TrainerCallback
{
    public override void OnBatchEnd(Trainer trainer, in BatchProgress progress)
    {
        if (options.BatchEnd is { } batchEnd) batchEnd(progress with { Epoch = progress.Epoch + offset });
    }

    public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        var renumbered = metrics with
        {
            Epoch = metrics.Epoch + offset,
            Seconds = metrics.Seconds + (metrics.Epoch == 1 ? firstEpochExtraSeconds : 0),
        };
        history.Epochs.Add(renumbered);
        options.EpochEnd?.Invoke(renumbered);
    }
}
