using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>How a <see cref="FineTuningRun"/> trains.</summary>
public sealed class FineTuningOptions
{
    /// <summary>Epochs in all (cached ones included).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Samples per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Samples per forward pass when evaluating or computing cached features.</summary>
    public int EvaluationBatchSize { get; init; } = 64;

    /// <summary>Seed of shuffling and augmentation.</summary>
    public ulong Seed { get; init; }

    /// <summary>Per-sample transform of training samples (augmentation, normalisation), or null.</summary>
    public ISampleTransform? Transform { get; init; }

    /// <summary>
    /// Deterministic per-sample transform of validation samples (normalisation), or null. Random augmentation never
    /// applies to validation.
    /// </summary>
    public ISampleTransform? ValidationTransform { get; init; }

    /// <summary>
    /// Compute the frozen backbone's features once and train only the head on them, while that is exact (the backbone
    /// frozen, <see cref="Transform"/> deterministic, the model splittable). On by default.
    /// </summary>
    public bool CacheFeatures { get; init; } = true;

    /// <summary>
    /// Run a backbone that stays frozen through the uncached epochs as a compiled <see cref="FrozenBackbone"/> (BatchNorm
    /// folded, intermediates released), where the model allows it. On by default; the result is the same to rounding.
    /// </summary>
    public bool CompileFrozenBackbone { get; init; } = true;

    /// <summary>Unfreeze one more block every this many epochs (0 = never); see <see cref="GradualUnfreezing"/>.</summary>
    public int UnfreezeEvery { get; init; }

    /// <summary>Where the model runs (default: the CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Clip the gradients' total 2-norm to this value, or null.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>
    /// Random generators the model draws from while training (a dropout layer's in the head), or none. A checkpoint
    /// saves their positions, so a resumed run draws the same masks; they must be seeded as in the interrupted run.
    /// </summary>
    public IReadOnlyList<Generator> Generators { get; init; } = [];

    /// <summary>
    /// Where a checkpoint is written (atomically, replacing the previous one) after every epoch, or null for none.
    /// Resume from it with <see cref="FineTuningRun.Fit(IDataset, IDataset?, Checkpoints.CheckpointState?)"/>.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Strings stored in each checkpoint under <c>extra.</c> (the caller's settings, its best score so far). Read when
    /// the checkpoint is written, so entries changed in <see cref="EpochEnd"/> are saved with that epoch.
    /// </summary>
    public IDictionary<string, string> CheckpointMetadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where notes are written (caching, unfreezing), or null.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Called after each epoch with the run's epoch numbering (cached and uncached epochs in one sequence).</summary>
    public Action<EpochMetrics>? EpochEnd { get; init; }

    /// <summary>Called after each optimizer step with the run's epoch numbering; keep it cheap.</summary>
    public Action<BatchProgress>? BatchEnd { get; init; }
}
