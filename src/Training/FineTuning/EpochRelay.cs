using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Passes a phase's epochs and steps on to a <see cref="FineTuningRun"/>'s listeners, renumbered as epochs of the whole
/// run, and collects the renumbered metrics. The first epoch it sees also carries the seconds spent before it (computing
/// cached features), whether that is epoch 1 or the first epoch after a resumed checkpoint.
/// </summary>
internal sealed class EpochRelay(int offset, double firstEpochExtraSeconds, FineTuningOptions options, TrainingHistory history) : TrainerCallback
{
    private bool _first = true;

    public override void OnBatchEnd(Trainer trainer, in BatchProgress progress)
    {
        if (options.BatchEnd is { } batchEnd) batchEnd(progress with { Epoch = progress.Epoch + offset });
    }

    public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        var renumbered = metrics with
        {
            Epoch = metrics.Epoch + offset,
            Seconds = metrics.Seconds + (_first ? firstEpochExtraSeconds : 0),
        };
        _first = false;
        history.Epochs.Add(renumbered);
        options.EpochEnd?.Invoke(renumbered);
    }
}
