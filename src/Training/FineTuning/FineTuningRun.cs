using System.Globalization;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// Fine-tunes a model prepared by a <see cref="FineTuner"/>, in up to two phases that share one optimizer (so its
/// moments carry over):
/// <list type="number">
/// <item>While the backbone is frozen and the training transform is deterministic, the backbone runs once over the
/// training and validation sets (<see cref="FeatureCache"/>) and the head trains on the stored features: every epoch
/// after the first costs only the head.</item>
/// <item>The remaining epochs train the whole model on images, with augmentation and gradual unfreezing
/// (<see cref="GradualUnfreezing"/>) when asked.</item>
/// </list>
/// With gradual unfreezing, the epochs before the first block is unfrozen are the cached phase. With
/// <see cref="FineTuningOptions.CheckpointPath"/> a <see cref="FineTuningCheckpoint"/> is written after every epoch, and
/// <see cref="Fit(IDataset, IDataset?, CheckpointState?)"/> given one continues the run exactly where it stopped.
/// </summary>
public sealed class FineTuningRun
{
    private readonly FineTuner _tuner;
    private readonly Loss _loss;
    private readonly Optimizer _optimizer;

    /// <summary>Prepares the run; the optimizer should hold every block's parameters (<see cref="FineTuner.ParameterGroups"/>).</summary>
    public FineTuningRun(FineTuner tuner, Loss loss, Optimizer optimizer, FineTuningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tuner);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        _tuner = tuner;
        _loss = loss;
        _optimizer = optimizer;
        Options = options ?? new FineTuningOptions();
        if (Options.Epochs < 0) throw new ArgumentException($"FineTuningRun: epochs must not be negative, got {Options.Epochs}.");
        if (Options.UnfreezeEvery < 0) throw new ArgumentException($"FineTuningRun: unfreeze-every must not be negative, got {Options.UnfreezeEvery}.");
    }

    /// <summary>The settings.</summary>
    public FineTuningOptions Options { get; }

    /// <summary>
    /// Whether features can be cached now, and why (or why not), in one sentence.
    /// </summary>
    public (bool Cacheable, string Reason) CachePlan()
    {
        if (!Options.CacheFeatures) return (false, "feature caching is off");
        if (!_tuner.IsBackboneFrozen) return (false, "features not cached: the backbone trains (only a fully frozen backbone gives the same features every epoch)");
        if (!FeatureCache.IsDeterministic(Options.Transform)) return (false, "features not cached: random augmentation changes the inputs every epoch");
        if (!_tuner.Layout.HasFeatures) return (false, $"features not cached: {_tuner.Layout.Architecture} cannot be split before its head");
        return (true, "features cached: the frozen backbone runs once, later epochs train only the head");
    }

    /// <summary>
    /// Trains for <see cref="FineTuningOptions.Epochs"/> epochs and returns what happened. With <paramref name="resume"/>
    /// (a checkpoint this run's settings wrote, see <see cref="FineTuningOptions.CheckpointPath"/>) it continues after
    /// the checkpoint's epoch as if never interrupted: the tuner must be frozen as at the interrupted run's start and the
    /// optimizer, generators and data set up the same way; the weights, optimizer state, generator and loader positions,
    /// history and unfrozen blocks come from the checkpoint.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The checkpoint is not a fine-tuning checkpoint or does not match this setup; the message names its file.</exception>
    public FineTuningResult Fit(IDataset train, IDataset? validation = null, CheckpointState? resume = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        int done = resume is null ? 0 : FineTuningCheckpoint.EpochOf(resume);
        var history = resume is null ? new TrainingHistory() : TrainingHistory.FromCsv(resume.Get(FineTuningCheckpoint.HistoryKey));
        if (resume is not null) LoadWeights(resume);
        var unfrozen = new List<(int, BackboneBlock)>();
        // The plan depends only on the settings and the freezing at the start, so a resumed run makes the same one.
        var (cacheable, note) = CachePlan();
        int cachedEpochs = 0;
        double cacheSeconds = 0;
        if (cacheable && Options.Epochs > 0)
        {
            bool willUnfreeze = Options.UnfreezeEvery > 0 && _tuner.NextToUnfreeze is not null;
            cachedEpochs = willUnfreeze ? Math.Min(Options.Epochs, Options.UnfreezeEvery) : Options.Epochs;
            if (willUnfreeze && cachedEpochs < Options.Epochs)
                note += string.Create(CultureInfo.InvariantCulture, $" (epochs 1-{cachedEpochs}, until the first block is unfrozen)");
        }
        if (Options.Epochs > 0) Options.Log?.WriteLine(note);
        if (done < cachedEpochs)
        {
            var layout = _tuner.Layout;
            var (trainFeatures, trainSeconds) = FeatureCache.ComputeTimed(layout, train, Options.EvaluationBatchSize, Options.Device, Options.Transform, "train features");
            (InMemoryDataset Features, double Seconds)? valFeatures = validation is null ? null
                : FeatureCache.ComputeTimed(layout, validation, Options.EvaluationBatchSize, Options.Device, Options.ValidationTransform, "validation features");
            cacheSeconds = trainSeconds + (valFeatures?.Seconds ?? 0);
            Options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cached {train.Count + (validation?.Count ?? 0)} feature vectors of shape {trainFeatures.SampleShape} in {cacheSeconds:F1} s"));
            var trainer = new Trainer(layout.HeadForTraining, _loss, _optimizer, PhaseOptions(cachedEpochs, transform: null, train.Count));
            trainer.Callbacks.Add(new EpochRelay(0, cacheSeconds, Options, history));
            AddCheckpointWriter(trainer, FineTuningCheckpoint.CachedPhase, 0, history);
            if (resume is not null && done > 0) Restore(trainer, resume, FineTuningCheckpoint.CachedPhase, phaseStart: false);
            trainer.Fit(trainFeatures, valFeatures?.Features);
        }

        int remaining = Options.Epochs - cachedEpochs;
        if (remaining > 0 && done < Options.Epochs)
        {
            // A backbone that stays frozen for the whole phase runs compiled; the trainer then sees only the head's parameters.
            bool staysFrozen = _tuner.IsBackboneFrozen && (Options.UnfreezeEvery == 0 || _tuner.NextToUnfreeze is null);
            var compiled = staysFrozen && Options.CompileFrozenBackbone ? FrozenBackbone.TryCompile(_tuner.Layout) : null;
            if (compiled is not null)
                Options.Log?.WriteLine($"the frozen backbone runs compiled ({compiled.FoldedBatchNorms} BatchNorm layers folded into convolutions)");
            var model = compiled?.WithHead(_tuner.Layout.HeadForTraining) ?? _tuner.Model;
            var trainer = new Trainer(model, _loss, _optimizer, PhaseOptions(remaining, Options.Transform, train.Count));
            GradualUnfreezing? schedule = null;
            if (Options.UnfreezeEvery > 0)
            {
                schedule = new GradualUnfreezing(_tuner, Options.UnfreezeEvery, Options.Log) { EpochOffset = cachedEpochs };
                trainer.Callbacks.Add(schedule);
            }
            trainer.Callbacks.Add(new EpochRelay(cachedEpochs, 0, Options, history));
            AddCheckpointWriter(trainer, FineTuningCheckpoint.ImagePhase, cachedEpochs, history);
            // A checkpoint from the last cached epoch starts this phase afresh; one from this phase continues it.
            if (resume is not null && done >= cachedEpochs && done > 0)
                Restore(trainer, resume, done == cachedEpochs ? FineTuningCheckpoint.CachedPhase : FineTuningCheckpoint.ImagePhase, phaseStart: done == cachedEpochs);
            var val = validation is not null && Options.ValidationTransform is not null ? new TransformedDataset(validation, Options.ValidationTransform) : validation;
            trainer.Fit(train, val);
            if (schedule is not null) unfrozen.AddRange(schedule.Unfrozen);
        }
        return new FineTuningResult(history, cachedEpochs, cacheSeconds, note, unfrozen);
    }

    private void AddCheckpointWriter(Trainer trainer, string phase, int epochOffset, TrainingHistory history)
    {
        if (Options.CheckpointPath is { } path)
            trainer.Callbacks.Add(FineTuningCheckpoint.Writer(path, _tuner.Model, phase, epochOffset, history, Options));
    }

    private void LoadWeights(CheckpointState resume)
    {
        try
        {
            _tuner.Model.LoadStateDict(resume.TensorsUnder("model."));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{resume.Source ?? "checkpoint"}: the network does not match the checkpoint: {e.Message}", e);
        }
    }

    private static void Restore(Trainer trainer, CheckpointState resume, string expectedPhase, bool phaseStart)
    {
        string phase = resume.Get(FineTuningCheckpoint.PhaseKey);
        if (phase != expectedPhase)
            throw new InvalidOperationException($"{resume.Source ?? "checkpoint"}: written after epoch {FineTuningCheckpoint.EpochOf(resume)} of the {phase} phase, but with these settings that epoch belongs to the {expectedPhase} phase; resume with the settings of the interrupted run.");
        trainer.Restore(FineTuningCheckpoint.PhaseView(resume, trainer.Model, phaseStart));
    }

    // A last batch of one sample cannot train BatchNorm (one value per channel has no variance), so it is dropped.
    private TrainerOptions PhaseOptions(int epochs, ISampleTransform? transform, int samples) => new()
    {
        Epochs = epochs,
        BatchSize = Options.BatchSize,
        DropLast = samples > 1 && Options.BatchSize > 1 && samples % Options.BatchSize == 1,
        EvaluationBatchSize = Options.EvaluationBatchSize,
        Seed = Options.Seed,
        Transform = transform,
        Device = Options.Device,
        ClipGradNorm = Options.ClipGradNorm,
        Generators = Options.Generators,
    };
}
