using System.Globalization;
using NetFromScratch.Training.Checkpoints;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// Stops training when <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs in a row (Keras's EarlyStopping). Pair it with <see cref="KeepBestWeights"/> to end
/// with the best epoch's weights rather than the last.
/// </summary>
public sealed class EarlyStopping : TrainerCallback
{
    /// <summary>Creates the callback.</summary>
    public EarlyStopping(int patience, Metric monitor = Metric.ValidationLoss, double minDelta = 0)
    {
        if (patience < 1) throw new ArgumentException($"EarlyStopping: patience must be at least 1 epoch, got {patience}.");
        if (!(minDelta >= 0)) throw new ArgumentException($"EarlyStopping: min delta must be >= 0, got {minDelta}.");
        Patience = patience;
        Monitor = monitor;
        MinDelta = minDelta;
        Best = monitor.HigherIsBetter() ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The watched metric.</summary>
    public Metric Monitor { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen.</summary>
    public double Best { get; private set; }

    /// <summary>The epoch of <see cref="Best"/>.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <inheritdoc/>
    public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        double value = Monitor.Of(metrics);
        if (double.IsNaN(value))
            throw new InvalidOperationException($"EarlyStopping: {Monitor.ColumnName()} was not measured in epoch {metrics.Epoch}; give the trainer validation data or watch a training metric.");
        bool improved = Monitor.HigherIsBetter() ? value > Best + MinDelta : value < Best - MinDelta;
        if (improved)
        {
            Best = value;
            BestEpoch = metrics.Epoch;
            Wait = 0;
            return;
        }
        Wait++;
        if (Wait >= Patience)
            trainer.Stop(string.Create(CultureInfo.InvariantCulture,
                $"early stopping after epoch {metrics.Epoch}: {Monitor.ColumnName()} did not improve for {Patience} epoch(s); best {Best:F4} at epoch {BestEpoch}"));
    }

    /// <inheritdoc/>
    public override void SaveState(CheckpointState state, string prefix)
    {
        state.SetNumber(prefix + "best", Best);
        state.SetInteger(prefix + "best_epoch", BestEpoch);
        state.SetInteger(prefix + "wait", Wait);
    }

    /// <inheritdoc/>
    public override void LoadState(CheckpointState state, string prefix)
    {
        Best = state.GetNumber(prefix + "best");
        BestEpoch = (int)state.GetInteger(prefix + "best_epoch");
        Wait = (int)state.GetInteger(prefix + "wait");
    }
}
