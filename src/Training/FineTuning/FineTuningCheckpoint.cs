using NetFromScratch.Nn;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// The checkpoint of a <see cref="FineTuningRun"/>: what the trainer of the current phase saves (optimizer state of every
/// group with its learning rate, epoch and step counters, random-generator and data-loader positions, its history),
/// except that <c>model.</c> holds the whole network rather than the part the phase trains (only the head while
/// features are cached or the backbone runs compiled), plus the run's epoch, the phase and the run's history.
/// Which blocks gradual unfreezing has unfrozen is not stored: it follows from the epoch.
/// </summary>
public static class FineTuningCheckpoint
{
    /// <summary>The run epoch after which the checkpoint was written (cached and uncached epochs counted together).</summary>
    public const string EpochKey = "finetune.epoch";

    /// <summary>The phase that wrote it: <see cref="CachedPhase"/> or <see cref="ImagePhase"/>.</summary>
    public const string PhaseKey = "finetune.phase";

    /// <summary>The run's history as CSV (the trainer's own history covers only its phase).</summary>
    public const string HistoryKey = "finetune.history.csv";

    /// <summary>The phase that trains the head on cached features.</summary>
    public const string CachedPhase = "cached";

    /// <summary>The phase that trains on images.</summary>
    public const string ImagePhase = "images";

    /// <summary>Whether <paramref name="state"/> was written by a fine-tuning run.</summary>
    public static bool IsFineTuning(CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Has(EpochKey) && state.Has(PhaseKey) && state.Has(HistoryKey);
    }

    /// <summary>The run epoch <paramref name="state"/> was written after.</summary>
    /// <exception cref="InvalidOperationException">The state is not a fine-tuning checkpoint; the message names its file.</exception>
    public static int EpochOf(CheckpointState state)
    {
        if (!IsFineTuning(state))
            throw new InvalidOperationException($"{state.Source ?? "checkpoint"}: not a fine-tuning checkpoint (it has no '{EpochKey}' entry).");
        return (int)state.GetInteger(EpochKey);
    }

    /// <summary>A callback that writes the run's checkpoint after each epoch of one phase.</summary>
    internal static TrainerCallback Writer(string path, Module model, string phase, int epochOffset, TrainingHistory history, FineTuningOptions options) =>
        new CheckpointAfterEpoch(path, model, phase, epochOffset, history, options);

    /// <summary>
    /// <paramref name="state"/> as the trainer of a phase restores it: <c>model.</c> holds that trainer's own module
    /// (whose values already came from the whole network). With <paramref name="phaseStart"/> the checkpoint was written
    /// by the phase before, and the new phase begins as in an uninterrupted run: no epochs, steps, history or loader
    /// position of its own, but the optimizer state and random generators carried over.
    /// </summary>
    internal static CheckpointState PhaseView(CheckpointState state, Module phaseModel, bool phaseStart)
    {
        var view = new CheckpointState { Source = state.Source };
        foreach (var (k, v) in state.Metadata) view.Metadata[k] = v;
        foreach (var (k, t) in state.Tensors)
            if (!k.StartsWith("model.", StringComparison.Ordinal)) view.Tensors[k] = t;
        foreach (var (name, t) in phaseModel.StateDict()) view.Tensors["model." + name] = t;
        if (phaseStart)
        {
            view.SetInteger("epoch", 0);
            view.SetInteger("global_step", 0);
            view.Metadata["history.csv"] = new TrainingHistory().ToCsv();
            foreach (var k in view.Metadata.Keys.Where(k => k.StartsWith("loader.", StringComparison.Ordinal) || k.StartsWith("callback.", StringComparison.Ordinal)
                                                             || k == "history.stop_reason").ToList())
                view.Metadata.Remove(k);
        }
        return view;
    }

    private sealed class CheckpointAfterEpoch(string path, Module model, string phase, int epochOffset, TrainingHistory history, FineTuningOptions options)
        : TrainerCallback
    {
        public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
        {
            var state = trainer.CaptureState();
            foreach (var key in state.Tensors.Keys.Where(k => k.StartsWith("model.", StringComparison.Ordinal)).ToList()) state.Tensors.Remove(key);
            foreach (var (name, t) in model.StateDict()) state.Tensors["model." + name] = t;
            state.SetInteger(EpochKey, metrics.Epoch + epochOffset);
            state.Metadata[PhaseKey] = phase;
            state.Metadata[HistoryKey] = history.ToCsv();
            foreach (var (k, v) in options.CheckpointMetadata) state.Metadata["extra." + k] = v;
            Checkpoint.Save(path, state);
            trainer.LastCheckpoint = (path, metrics.Epoch + epochOffset);
        }
    }
}
