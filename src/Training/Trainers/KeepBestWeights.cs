using NetFromScratch.Tensors;
using NetFromScratch.Training.Checkpoints;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// Remembers the weights of the best epoch by <see cref="Monitor"/> and puts them back into the model when training
/// ends, so an overfitting run (or an early stop) ends with its best model. The copy lives in buffers allocated once.
/// </summary>
public sealed class KeepBestWeights(Metric monitor = Metric.ValidationLoss) : TrainerCallback
{
    private List<(Tensor Live, Tensor Copy)>? _snapshot;

    /// <summary>The watched metric.</summary>
    public Metric Monitor { get; } = monitor;

    /// <summary>The best value seen.</summary>
    public double Best { get; private set; } = monitor.HigherIsBetter() ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>The epoch whose weights are kept (0 before any).</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        double value = Monitor.Of(metrics);
        if (double.IsNaN(value))
            throw new InvalidOperationException($"KeepBestWeights: {Monitor.ColumnName()} was not measured in epoch {metrics.Epoch}; give the trainer validation data or watch a training metric.");
        bool better = Monitor.HigherIsBetter() ? value > Best : value < Best;
        if (!better) return;
        Best = value;
        BestEpoch = metrics.Epoch;
        Snapshot(trainer).ForEach(pair => pair.Copy.CopyFrom(pair.Live));
    }

    private List<(Tensor Live, Tensor Copy)> Snapshot(Trainer trainer) =>
        _snapshot ??= trainer.Model.StateDict().Select(kv => (kv.Value, Tensor.Zeros(kv.Value.Shape, kv.Value.Device))).ToList();

    /// <inheritdoc/>
    public override void OnTrainEnd(Trainer trainer, TrainingHistory history)
    {
        if (BestEpoch == 0 || _snapshot is null) return;
        foreach (var (live, copy) in _snapshot) live.CopyFrom(copy);
        history.BestEpoch = BestEpoch;
    }

    /// <inheritdoc/>
    public override void SaveState(CheckpointState state, string prefix)
    {
        state.SetNumber(prefix + "best", Best);
        state.SetInteger(prefix + "best_epoch", BestEpoch);
        if (_snapshot is null) return;
        for (int i = 0; i < _snapshot.Count; i++) state.Tensors[prefix + "weights." + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = _snapshot[i].Copy;
    }

    /// <inheritdoc/>
    public override void LoadState(CheckpointState state, string prefix)
    {
        Best = state.GetNumber(prefix + "best");
        BestEpoch = (int)state.GetInteger(prefix + "best_epoch");
        _snapshot = null;
        var saved = state.TensorsUnder(prefix + "weights.");
        if (saved.Count == 0) return;
        var byIndex = saved.ToDictionary(kv => int.Parse(kv.Key, System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value);
        _pendingCopies = byIndex;
    }

    private Dictionary<int, Tensor>? _pendingCopies;

    /// <inheritdoc/>
    public override void OnTrainBegin(Trainer trainer)
    {
        if (_pendingCopies is null) return;
        var snapshot = Snapshot(trainer);
        if (_pendingCopies.Count != snapshot.Count)
            throw new InvalidOperationException($"KeepBestWeights: the checkpoint holds {_pendingCopies.Count} best-weight tensors but the model has {snapshot.Count}.");
        for (int i = 0; i < snapshot.Count; i++) snapshot[i].Copy.CopyFrom(_pendingCopies[i].To(snapshot[i].Copy.Device));
        _pendingCopies = null;
    }
}
