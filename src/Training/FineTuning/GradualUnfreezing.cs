using System.Globalization;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Unfreezes one more block every <see cref="Every"/> epochs, from the head down (gradual unfreezing, Howard and Ruder,
/// 2018): with <c>Every = 2</c>, epochs 1-2 train what was trainable at the start, epoch 3 adds the frozen block nearest
/// the head, epoch 5 the next, and so on. The optimizer must already hold the frozen parameters (make its groups with
/// <see cref="FineTuner.ParameterGroups"/>): it skips them while they are frozen and updates them once they are not.
/// </summary>
/// <remarks>
/// <see cref="EpochOffset"/> shifts the epoch count, for a trainer that continues a run begun by another (the first
/// epochs trained on cached features). Loading a checkpoint unfreezes the blocks the schedule had unfrozen by its epoch.
/// </remarks>
public sealed class GradualUnfreezing : TrainerCallback
{
    private readonly FineTuner _tuner;
    private readonly List<(int Epoch, BackboneBlock Block)> _unfrozen = new();

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentException"><paramref name="every"/> is below 1.</exception>
    public GradualUnfreezing(FineTuner tuner, int every, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(tuner);
        if (every < 1) throw new ArgumentException($"GradualUnfreezing: every must be at least 1 epoch, got {every}.");
        _tuner = tuner;
        Every = every;
        Log = log;
    }

    /// <summary>Epochs between two unfreezings.</summary>
    public int Every { get; }

    /// <summary>Epochs run before this trainer's first one (its epoch 1 is run epoch <c>EpochOffset + 1</c>).</summary>
    public int EpochOffset { get; init; }

    /// <summary>Where a line is written for each block unfrozen, or null.</summary>
    public TextWriter? Log { get; }

    /// <summary>The blocks unfrozen so far, with the (run) epoch that began with each.</summary>
    public IReadOnlyList<(int Epoch, BackboneBlock Block)> Unfrozen => _unfrozen;

    /// <summary>Whether run epoch <paramref name="epoch"/> (from 1) begins by unfreezing a block.</summary>
    public bool UnfreezesAt(int epoch) => epoch > 1 && (epoch - 1) % Every == 0;

    /// <inheritdoc/>
    public override void OnEpochBegin(Trainer trainer, int epoch)
    {
        int runEpoch = epoch + EpochOffset;
        if (!UnfreezesAt(runEpoch)) return;
        var block = _tuner.UnfreezeNext();
        if (block is null) return;
        _unfrozen.Add((runEpoch, block));
        Log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {runEpoch}: unfroze {block.Name}{(_tuner.NextToUnfreeze is { } next ? $" (next: {next.Name})" : " (nothing is frozen now)")}"));
    }

    /// <summary>
    /// Unfreezes the blocks an uninterrupted run would have unfrozen by the end of the checkpoint's epoch (its trainer's
    /// <c>epoch</c> plus <see cref="EpochOffset"/>). Nothing is stored for this: the schedule is a function of the epoch,
    /// so deriving it cannot disagree with the epoch counter. The tuner must be frozen as it was at the run's start.
    /// </summary>
    public override void LoadState(CheckpointState state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        int runEpoch = (int)state.GetInteger("epoch") + EpochOffset;
        _unfrozen.Clear();
        for (int epoch = 2; epoch <= runEpoch; epoch++)
        {
            if (!UnfreezesAt(epoch)) continue;
            var block = _tuner.UnfreezeNext();
            if (block is null) break;
            _unfrozen.Add((epoch, block));
        }
    }
}
