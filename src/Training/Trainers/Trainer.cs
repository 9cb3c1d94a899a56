using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Regularization;
using NetFromScratch.Training.Schedules;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// The training loop: epochs of shuffled batches, each a forward and backward pass, penalties, gradient clipping, an
/// optimizer step and a scheduled learning rate; then validation, the epoch's metrics in the <see cref="History"/>,
/// and the callbacks (early stopping, keep-best weights, checkpoints, progress). A checkpoint captures everything the
/// next epoch depends on (weights, optimizer and schedule state, random-generator positions, the loader's position,
/// the history and the callbacks' state), so <see cref="Resume"/> followed by <see cref="Fit"/> continues bit for bit
/// on the CPU.
/// </summary>
/// <remarks>
/// A NaN or infinite loss stops training at once with a <see cref="TrainingDivergedException"/> naming the epoch and
/// step; no checkpoint is written after it, so the last good one stays.
/// </remarks>
public sealed class Trainer
{
    private readonly Variable[] _trainable;
    private IStepEngine? _engine;
    private int _startEpoch = 1;
    private (ulong Offset, int Epoch)? _pendingLoaderState;
    private DataLoader? _trainLoader;

    /// <summary>Creates a trainer; nothing runs until <see cref="Fit"/>.</summary>
    public Trainer(Module model, Loss loss, Optimizer optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        Options = options ?? new TrainerOptions();
        if (Options.Epochs < 0) throw new ArgumentException($"Trainer: epochs must not be negative, got {Options.Epochs}.");
        if (Options.BatchSize < 0) throw new ArgumentException($"Trainer: batch size must be 0 (full batch) or positive, got {Options.BatchSize}.");
        if (loss.Reduction == Reduction.None) throw new ArgumentException($"Trainer: the loss must reduce to one value; {loss} has reduction none.");
        _trainable = optimizer.AllParameters().ToArray();
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>The criterion.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning-rate schedule, or null for a constant rate.</summary>
    public LRScheduler? Scheduler { get; set; }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Callbacks, run in order.</summary>
    public List<TrainerCallback> Callbacks { get; } = new();

    /// <summary>Every epoch's metrics so far.</summary>
    public TrainingHistory History { get; private set; } = new();

    /// <summary>The epoch in progress or last finished (from 1; 0 before training).</summary>
    public int Epoch { get; private set; }

    /// <summary>Optimizer steps taken since the run began (resumes included).</summary>
    public long GlobalStep { get; private set; }

    /// <summary>The name of the step in use (<c>autograd</c> or <c>fused-mlp</c>), known once <see cref="Fit"/> has started.</summary>
    public string? StepKind => _engine?.Name;

    /// <summary>The last checkpoint written in this run and its epoch, set by whoever writes checkpoints.</summary>
    public (string Path, int Epoch)? LastCheckpoint { get; set; }

    /// <summary>Extra entries written into every checkpoint's metadata (for example the command line that built the run).</summary>
    public Dictionary<string, string> CheckpointMetadata { get; } = new(StringComparer.Ordinal);

    /// <summary>True once a callback asked training to stop.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Asks the loop to stop after the current epoch; <paramref name="reason"/> goes into the history.</summary>
    public void Stop(string reason)
    {
        StopRequested = true;
        History.StopReason ??= reason;
    }

    /// <summary>The device batches are created on.</summary>
    public Device Device => Options.Device ?? Device.Cpu;

    /// <summary>
    /// Trains for the remaining epochs (all of <see cref="TrainerOptions.Epochs"/>, or those after a resumed checkpoint).
    /// Validation uses <paramref name="validation"/>, else a split of <paramref name="train"/> when
    /// <see cref="TrainerOptions.ValidationSplit"/> is set, else none.
    /// </summary>
    /// <returns>The history, which is also <see cref="History"/>.</returns>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public TrainingHistory Fit(IDataset train, IDataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation is null && Options.ValidationSplit > 0)
        {
            if (train is not InMemoryDataset memory)
                throw new ArgumentException($"Trainer: a validation split needs an in-memory data set, got {train.GetType().Name}; pass a validation set instead.");
            (train, validation) = memory.Split(Options.ValidationSplit, Options.Seed);
        }
        _engine ??= CreateEngine(train.SampleShape);
        _trainLoader = new DataLoader(train, Options.BatchSize, Options.Shuffle, Options.DropLast, Options.Seed, Options.Prefetch, Device, Options.Transform);
        if (_pendingLoaderState is { } pending)
        {
            _trainLoader.Generator.Offset = pending.Offset;
            _trainLoader.Epoch = pending.Epoch;
            _pendingLoaderState = null;
        }
        var validationLoader = validation is null ? null : EvaluationLoader(validation);

        StopRequested = false;
        foreach (var c in Callbacks) c.OnTrainBegin(this);
        for (int epoch = _startEpoch; epoch <= Options.Epochs && !StopRequested; epoch++)
        {
            Epoch = epoch;
            var metrics = RunEpoch(epoch, _trainLoader, validationLoader);
            History.Epochs.Add(metrics);
            _startEpoch = epoch + 1;
            foreach (var c in Callbacks) c.OnEpochEnd(this, metrics);
        }
        foreach (var c in Callbacks) c.OnTrainEnd(this, History);
        return History;
    }

    /// <summary>
    /// The rate metrics and errors report: the largest of the groups'. With discriminative rates (fine-tuning) that is
    /// the head's, the rate the user chose; the first group would be the input-side block's, scaled far down.
    /// </summary>
    private double ReportedLearningRate
    {
        get
        {
            double rate = 0;
            foreach (var g in Optimizer.ParamGroups) rate = Math.Max(rate, g.LearningRate);
            return rate;
        }
    }

    private EpochMetrics RunEpoch(int epoch, DataLoader loader, DataLoader? validationLoader)
    {
        var clock = Stopwatch.StartNew();
        foreach (var c in Callbacks) c.OnEpochBegin(this, epoch);
        Model.Train();
        double lossSum = 0;
        long samples = 0, correct = 0;
        bool classification = true;
        int batch = 0, batches = loader.BatchesPerEpoch;
        double lr = ReportedLearningRate;
        foreach (var b in loader)
        {
            using (b)
            {
                batch++;
                int n = b.Size;
                lr = ReportedLearningRate;
                var outcome = Step(b.Inputs, b.Targets, epoch, batch, batches);
                lossSum += outcome.Loss * n;
                samples += n;
                if (outcome.Correct < 0) classification = false;
                else correct += outcome.Correct;
                if (Callbacks.Count > 0)
                {
                    var progress = new BatchProgress(epoch, batch, batches, GlobalStep, n, outcome.Loss, lossSum / samples);
                    foreach (var c in Callbacks) c.OnBatchEnd(this, progress);
                }
            }
        }

        double valLoss = double.NaN, valAcc = double.NaN;
        if (validationLoader is not null)
        {
            var v = Evaluate(validationLoader);
            valLoss = v.Loss;
            valAcc = v.Accuracy;
        }
        double trainLoss = samples == 0 ? double.NaN : lossSum / samples;
        if (Scheduler is ReduceLROnPlateau plateau) plateau.Step(double.IsNaN(valLoss) ? trainLoss : valLoss);
        else if (Scheduler is { Interval: ScheduleInterval.Epoch } epochSchedule) epochSchedule.Step();
        return new EpochMetrics(epoch, trainLoss, classification && samples > 0 ? (double)correct / samples : double.NaN,
            valLoss, valAcc, lr, clock.Elapsed.TotalSeconds, batch);
    }

    /// <summary>
    /// One optimizer step on one batch, exactly as <see cref="Fit"/> takes it: zero the gradients, forward and backward,
    /// penalties, clipping, the optimizer's update, and a per-step schedule. Returns the batch's mean loss.
    /// Shape: inputs <c>[N, *sample]</c>, targets <c>[N]</c>.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite (the parameters are not updated).</exception>
    public double TrainStep(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (_engine is null)
        {
            var dims = inputs.Shape.Dims[1..].ToArray();
            _engine = CreateEngine(new Shape(dims));
        }
        return Step(inputs, targets, Math.Max(Epoch, 1), 1, 1).Loss;
    }

    private StepOutcome Step(Tensor inputs, Tensor targets, int epoch, int batch, int batches)
    {
        Optimizer.ZeroGrad();
        var outcome = _engine!.Train(inputs, targets);
        if (!double.IsFinite(outcome.Loss))
            throw new TrainingDivergedException(epoch, batch, batches, GlobalStep + 1, outcome.Loss, ReportedLearningRate,
                LastCheckpoint?.Path, LastCheckpoint?.Epoch ?? 0);
        Options.Penalty?.AddGradients();
        if (Options.ClipGradNorm is { } maxNorm) GradientClipping.ClipGradNorm(_trainable, maxNorm);
        if (Options.ClipGradValue is { } maxValue) GradientClipping.ClipGradValue(_trainable, maxValue);
        Optimizer.Step();
        GlobalStep++;
        if (Scheduler is { Interval: ScheduleInterval.Step } s) s.Step();
        return outcome;
    }

    /// <summary>The model's mean loss and accuracy on <paramref name="data"/>, in evaluation mode without gradients.</summary>
    public EvaluationResult Evaluate(IDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _engine ??= CreateEngine(data.SampleShape);
        return Evaluate(EvaluationLoader(data));
    }

    private DataLoader EvaluationLoader(IDataset data) =>
        new(data, Math.Min(Math.Max(1, Options.EvaluationBatchSize), data.Count), shuffle: false, dropLast: false, prefetch: Options.Prefetch, device: Device);

    private EvaluationResult Evaluate(DataLoader loader)
    {
        bool wasTraining = Model.IsTraining;
        Model.Eval();
        double lossSum = 0;
        long samples = 0, correct = 0;
        bool classification = true;
        foreach (var b in loader)
        {
            using (b)
            {
                var outcome = _engine!.Evaluate(b.Inputs, b.Targets);
                lossSum += outcome.Loss * b.Size;
                samples += b.Size;
                if (outcome.Correct < 0) classification = false;
                else correct += outcome.Correct;
            }
        }
        Model.Train(wasTraining);
        return new EvaluationResult(lossSum / Math.Max(1, samples), classification && samples > 0 ? (double)correct / samples : double.NaN, (int)samples);
    }

    private IStepEngine CreateEngine(Shape sampleShape)
    {
        if (Options.UseFusedSteps && FusedMlpStep.TryCreate(Model, Loss, Device, sampleShape, out var fused)) return fused!;
        return new AutogradStep(Model, Loss, Options.ReleaseIntermediates);
    }

    // ---- checkpoints -------------------------------------------------------------------------------------------

    /// <summary>Writes a checkpoint of the state after the last finished epoch to <paramref name="path"/> (atomically).</summary>
    public void SaveCheckpoint(string path)
    {
        Checkpoint.Save(path, CaptureState());
        LastCheckpoint = (path, Epoch);
    }

    /// <summary>Everything a resumed run needs, as a <see cref="CheckpointState"/> (tensors are the live ones).</summary>
    public CheckpointState CaptureState()
    {
        var state = new CheckpointState();
        foreach (var (k, v) in CheckpointMetadata) state.Metadata["extra." + k] = v;
        foreach (var (name, t) in Model.StateDict()) state.Tensors["model." + name] = t;
        var opt = Optimizer.StateDict();
        state.Metadata["optimizer.kind"] = opt.Optimizer;
        foreach (var (k, t) in opt.Tensors) state.Tensors["optimizer." + k] = t;
        foreach (var (k, v) in opt.Values) state.SetNumber("optimizer.v." + k, v);
        if (Scheduler is not null)
        {
            state.Metadata["scheduler.kind"] = Scheduler.GetType().Name;
            foreach (var (k, v) in Scheduler.StateDict()) state.SetNumber("scheduler.v." + k, v);
        }
        state.SetInteger("epoch", Epoch);
        state.SetInteger("global_step", GlobalStep);
        state.SetUnsigned("rng.default.seed", Generator.Default.Seed);
        state.SetUnsigned("rng.default.offset", Generator.Default.Offset);
        for (int i = 0; i < Options.Generators.Count; i++)
        {
            state.SetUnsigned($"rng.{i}.seed", Options.Generators[i].Seed);
            state.SetUnsigned($"rng.{i}.offset", Options.Generators[i].Offset);
        }
        if (_trainLoader is not null)
        {
            state.SetUnsigned("loader.seed", _trainLoader.Generator.Seed);
            state.SetUnsigned("loader.offset", _trainLoader.Generator.Offset);
            state.SetInteger("loader.epoch", _trainLoader.Epoch);
        }
        state.Metadata["history.csv"] = History.ToCsv();
        if (History.StopReason is not null) state.Metadata["history.stop_reason"] = History.StopReason;
        for (int i = 0; i < Callbacks.Count; i++) Callbacks[i].SaveState(state, $"callback.{i}.");
        return state;
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer, whose model, optimizer, schedule,
    /// options and callbacks must be set up as they were; the next <see cref="Fit"/> continues with the epoch after it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint does not match this setup; the message says what differs.</exception>
    public void Resume(string path) => Restore(Checkpoint.Load(path));

    /// <summary>As <see cref="Resume"/>, from a state in memory.</summary>
    public void Restore(CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string source = state.Source ?? "checkpoint";
        try
        {
            Model.LoadStateDict(state.TensorsUnder("model."));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{source}: the model does not match the checkpoint: {e.Message}", e);
        }
        var opt = new OptimizerState(state.Get("optimizer.kind"));
        foreach (var (k, t) in state.TensorsUnder("optimizer.")) opt.Tensors[k] = t;
        foreach (var (k, v) in state.NumbersUnder("optimizer.v.")) opt.Values[k] = v;
        try
        {
            Optimizer.LoadStateDict(opt);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{source}: {e.Message}", e);
        }
        string? schedulerKind = state.Metadata.GetValueOrDefault("scheduler.kind");
        if (schedulerKind is not null || Scheduler is not null)
        {
            if (Scheduler is null || schedulerKind != Scheduler.GetType().Name)
                throw new InvalidOperationException($"{source}: the checkpoint's schedule is {schedulerKind ?? "none"} but this trainer's is {Scheduler?.GetType().Name ?? "none"}.");
            Scheduler.LoadStateDict(state.NumbersUnder("scheduler.v."));
        }
        Epoch = (int)state.GetInteger("epoch");
        GlobalStep = state.GetInteger("global_step");
        _startEpoch = Epoch + 1;
        Generator.ManualSeed(state.GetUnsigned("rng.default.seed"));
        Generator.Default.Offset = state.GetUnsigned("rng.default.offset");
        for (int i = 0; i < Options.Generators.Count; i++)
        {
            if (!state.Has($"rng.{i}.seed"))
                throw new InvalidOperationException($"{source}: the checkpoint saved fewer random generators than this trainer has ({Options.Generators.Count}).");
            ulong seed = state.GetUnsigned($"rng.{i}.seed");
            if (seed != Options.Generators[i].Seed)
                throw new InvalidOperationException($"{source}: random generator {i} was seeded with {seed} but this run's has seed {Options.Generators[i].Seed}; resume with the same --seed.");
            Options.Generators[i].Offset = state.GetUnsigned($"rng.{i}.offset");
        }
        if (state.Has("loader.offset"))
        {
            ulong loaderSeed = state.GetUnsigned("loader.seed");
            if (loaderSeed != Options.Seed)
                throw new InvalidOperationException($"{source}: the data was shuffled with seed {loaderSeed} but this run's seed is {Options.Seed}; resume with the same --seed.");
            _pendingLoaderState = (state.GetUnsigned("loader.offset"), (int)state.GetInteger("loader.epoch"));
        }
        History = TrainingHistory.FromCsv(state.Get("history.csv"));
        History.StopReason = state.Metadata.GetValueOrDefault("history.stop_reason");
        for (int i = 0; i < Callbacks.Count; i++) Callbacks[i].LoadState(state, $"callback.{i}.");
        LastCheckpoint = state.Source is null ? null : (state.Source, Epoch);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Trainer({Model.GetType().Name}, {Loss}, {Optimizer.Name}, epochs={Options.Epochs}, batch={Options.BatchSize}{(Scheduler is null ? "" : ", " + Scheduler)})");
}
