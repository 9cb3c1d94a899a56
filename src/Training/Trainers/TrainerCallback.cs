using NetFromScratch.Training.Checkpoints;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// Hooks into the training loop (as Keras callbacks): override what you need. A callback may stop training with
/// <see cref="Trainer.Stop"/>. Callbacks with state that matters for resuming (early-stopping counters, best weights)
/// save it into checkpoints through <see cref="SaveState"/> and <see cref="LoadState"/>.
/// </summary>
public abstract class TrainerCallback
{
    /// <summary>Before the first epoch of a <see cref="Trainer.Fit"/> call.</summary>
    public virtual void OnTrainBegin(Trainer trainer) { }

    /// <summary>Before each epoch.</summary>
    public virtual void OnEpochBegin(Trainer trainer, int epoch) { }

    /// <summary>After each optimizer step. Runs on the hot path: keep it cheap.</summary>
    public virtual void OnBatchEnd(Trainer trainer, in BatchProgress progress) { }

    /// <summary>After each epoch, once its metrics (validation included) are known and recorded in the history.</summary>
    public virtual void OnEpochEnd(Trainer trainer, EpochMetrics metrics) { }

    /// <summary>After the last epoch (or an early stop).</summary>
    public virtual void OnTrainEnd(Trainer trainer, TrainingHistory history) { }

    /// <summary>Adds this callback's state to a checkpoint, under keys that start with <paramref name="prefix"/>.</summary>
    public virtual void SaveState(CheckpointState state, string prefix) { }

    /// <summary>Restores the state written by <see cref="SaveState"/>.</summary>
    public virtual void LoadState(CheckpointState state, string prefix) { }
}
