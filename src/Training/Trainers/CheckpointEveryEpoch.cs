namespace NetFromScratch.Training.Trainers;

/// <summary>
/// Writes a checkpoint at the end of every <see cref="Every"/>-th epoch (and the last) to <see cref="Path"/>,
/// atomically, replacing the previous one. Resume with <see cref="Trainer.Resume"/>.
/// </summary>
public sealed class CheckpointEveryEpoch(string path, int every = 1) : TrainerCallback
{
    /// <summary>The checkpoint file.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    /// <summary>Epochs between checkpoints.</summary>
    public int Every { get; } = every >= 1 ? every : throw new ArgumentException($"CheckpointEveryEpoch: every must be at least 1, got {every}.");

    /// <inheritdoc/>
    public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        if (metrics.Epoch % Every == 0 || metrics.Epoch == trainer.Options.Epochs || trainer.StopRequested)
            trainer.SaveCheckpoint(Path);
    }
}
