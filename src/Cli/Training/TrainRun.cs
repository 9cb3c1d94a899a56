using System.Globalization;
using System.Text;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Regularization;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// One <c>nfs train</c> run from its settings: load and standardise the data, hold out validation, build the model,
/// optimizer and schedule, train with progress, evaluate on the test set, write the run folder, and end with the line
/// <c>test_accuracy=0.xxxx</c>.
/// </summary>
public static class TrainRun
{
    /// <summary>Runs training; returns the process exit code (0 success, 1 bad input, 2 diverged).</summary>
    /// <param name="settings">The run's settings (replaced by the checkpoint's when resuming).</param>
    /// <param name="resume">A checkpoint to continue from, or null.</param>
    /// <param name="epochsOverride">With <paramref name="resume"/>: a new total number of epochs, or null to keep the checkpoint's.</param>
    /// <param name="outDirectory">The run folder, or null for a new one under runs/ (or the checkpoint's folder when resuming).</param>
    /// <param name="output">Where progress and results go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <param name="interactive">Whether to draw the in-place progress bar.</param>
    public static int Execute(TrainSettings settings, string? resume, int? epochsOverride, string? outDirectory, TextWriter output, TextWriter error,
        bool interactive)
    {
        CheckpointState? checkpoint = null;
        try
        {
            if (resume is not null)
            {
                checkpoint = Checkpoint.Load(resume);
                settings = TrainSettings.Parse(checkpoint.Get("extra.cli.settings"));
                if (epochsOverride is { } e) settings.Epochs = e;
                outDirectory ??= Path.GetDirectoryName(Path.GetFullPath(resume));
            }
            return Run(settings, checkpoint, outDirectory, output, interactive);
        }
        catch (TrainingDivergedException e)
        {
            error.WriteLine("nfs train: " + e.Message);
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or DataFormatException
                                      or FormatException or NotSupportedException or InvalidOperationException or IOException
                                      or NetFromScratch.Tensors.Serialization.SafeTensorsFormatException)
        {
            error.WriteLine("nfs train: " + e.Message);
            return 1;
        }
    }

    private static int Run(TrainSettings s, CheckpointState? checkpoint, string? outDirectory, TextWriter output, bool interactive)
    {
        Validate(s);
        var device = DeviceChoice.Resolve(s.Device);
        var (trainAll, test) = DataSources.Load(s);
        IDataset train = trainAll, validation = null!;
        bool hasValidation = s.ValidationSplit > 0;
        if (hasValidation)
        {
            if (trainAll is not InMemoryDataset memory)
                throw new NotSupportedException($"--val-split needs an in-memory data set; {s.Dataset} is not one.");
            (train, validation) = memory.Split(s.ValidationSplit, s.Seed);
        }
        var standardization = DataSources.Standardize(train, hasValidation ? validation : null, test);
        var transform = DataSources.CreateAugmentation(s, train.SampleShape);

        Generator.ManualSeed(s.Seed);
        var generator = new Generator(s.Seed);
        var model = ModelFactory.Create(s.Model, train.SampleShape, train.ClassCount, s.Dropout, generator);
        WeightInit.Apply(model, s.Init, generator);
        if (!ReferenceEquals(device, Device.Cpu)) model.To(device);
        var optimizer = OptimizerFactory.Create(s, model.Parameters());
        int batch = s.BatchSize == 0 ? train.Count : Math.Min(s.BatchSize, train.Count);
        int stepsPerEpoch = (train.Count + batch - 1) / batch;
        var penalty = s.L1 > 0 || s.L2 > 0 ? new Penalty(Penalty.WeightsOf(model), s.L1, s.L2) : null;
        var trainer = new Trainer(model, new CrossEntropyLoss(labelSmoothing: s.LabelSmoothing), optimizer, new TrainerOptions
        {
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            Seed = s.Seed,
            Device = device,
            Transform = transform,
            Penalty = penalty,
            ClipGradNorm = s.ClipNorm,
            Generators = [generator],
            UseFusedSteps = s.Fused,
        })
        {
            Scheduler = ScheduleFactory.Create(s.Schedule, optimizer, s.Epochs, stepsPerEpoch),
        };
        trainer.CheckpointMetadata["cli.settings"] = s.ToText();
        var run = outDirectory is null ? RunFolder.CreateDefault(s) : new RunFolder(outDirectory);

        trainer.Callbacks.Add(new ConsoleProgress(output, interactive));
        if (s.EarlyStop is { } patience)
        {
            if (!hasValidation) throw new ArgumentException("--early-stop watches the validation loss: give --val-split a fraction above 0.");
            trainer.Callbacks.Add(new EarlyStopping(patience));
        }
        if (hasValidation) trainer.Callbacks.Add(new KeepBestWeights());
        trainer.Callbacks.Add(new CheckpointEveryEpoch(run.Checkpoint));
        if (checkpoint is not null) trainer.Restore(checkpoint);

        File.WriteAllText(run.Options, s.ToText());
        var inv = CultureInfo.InvariantCulture;
        string stats = standardization is { } st ? FormattableString.Invariant($", standardised (mean {st.Mean:F4}, std {st.Std:F4})") : "";
        string builtIn = s.DataDirectory is null && s.Dataset == "optdigits" ? " (built in)" : "";
        output.WriteLine(string.Create(inv,
            $"data: {s.Dataset}{builtIn}, {train.Count} train / {(hasValidation ? validation.Count : 0)} validation / {test.Count} test samples of {train.SampleShape}, {train.ClassCount} classes{stats}"));
        output.WriteLine(string.Create(inv, $"model: {s.Model}, {model.ParameterCount():N0} parameters, init {s.Init}; loss cross-entropy{(s.LabelSmoothing > 0 ? $" (label smoothing {s.LabelSmoothing:G3})" : "")}; {optimizer.Name} lr={optimizer.ParamGroups[0].LearningRate:G4}, batch {BatchDescription(s.BatchSize, batch)}, {s.Epochs} epochs{(trainer.Scheduler is null ? "" : ", " + trainer.Scheduler)}"));
        output.WriteLine(DeviceChoice.Describe(device));
        if (checkpoint is not null) output.WriteLine($"resuming from {checkpoint.Source} after epoch {trainer.Epoch}");
        output.WriteLine($"run folder: {run.Path}");

        try
        {
            trainer.Fit(train, hasValidation ? validation : null);
        }
        catch (TrainingDivergedException)
        {
            WriteHistory(trainer, run, s);
            throw;
        }
        var result = trainer.Evaluate(test);
        model.Save(run.Model, new Dictionary<string, string> { ["nfs.settings"] = s.ToText() });
        WriteHistory(trainer, run, s);

        var summary = new StringBuilder();
        summary.AppendLine($"step: {trainer.StepKind}");
        if (trainer.History.StopReason is { } reason) summary.AppendLine(reason);
        if (trainer.History.BestEpoch is { } best && best != trainer.History.Last?.Epoch)
            summary.AppendLine($"kept the weights of epoch {best} (best validation loss)");
        if (trainer.History.OverfittingWarning() is { } warning) summary.AppendLine(warning);
        summary.AppendLine(string.Create(inv, $"test: loss {result.Loss:F4}, accuracy {result.Accuracy:P2} on {result.Samples} samples"));
        summary.AppendLine($"wrote {run.Metrics}, {run.Curves}, {run.Model}, {run.Checkpoint}, {run.Options}");
        File.WriteAllText(run.Summary, summary.ToString());
        output.Write(summary.ToString());
        output.WriteLine(string.Create(inv, $"test_accuracy={result.Accuracy:F4}"));
        return 0;
    }

    private static string BatchDescription(int requested, int actual) => requested switch
    {
        0 => $"{actual} (full batch)",
        1 => "1 (stochastic)",
        _ => actual.ToString(CultureInfo.InvariantCulture),
    };

    private static void WriteHistory(Trainer trainer, RunFolder run, TrainSettings s)
    {
        trainer.History.WriteCsv(run.Metrics);
        if (trainer.History.Epochs.Count > 0) CurvePlot.Save(trainer.History, run.Curves, $"{s.Dataset} {s.Model} {s.Optimizer}");
    }

    private static void Validate(TrainSettings s)
    {
        if (s.Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {s.Epochs}.");
        if (s.BatchSize < 0) throw new ArgumentException($"--batch-size must be 0 (full batch), 1 (stochastic) or more, got {s.BatchSize}.");
        if (s.LearningRate is { } lr && !(lr > 0)) throw new ArgumentException($"--lr must be positive, got {lr}.");
        if (!(s.ValidationSplit >= 0 && s.ValidationSplit < 1)) throw new ArgumentException($"--val-split must be in [0, 1), got {s.ValidationSplit}.");
        if (!(s.Dropout >= 0 && s.Dropout < 1)) throw new ArgumentException($"--dropout must be in [0, 1), got {s.Dropout}.");
        if (s.EarlyStop is < 1) throw new ArgumentException($"--early-stop needs a patience of at least 1 epoch, got {s.EarlyStop}.");
        if (!(s.LabelSmoothing >= 0 && s.LabelSmoothing <= 1)) throw new ArgumentException($"--label-smoothing must be in [0, 1], got {s.LabelSmoothing}.");
        if (!OptimizerFactory.Names.Contains(s.Optimizer)) throw new ArgumentException($"unknown optimizer '{s.Optimizer}': use one of {string.Join(", ", OptimizerFactory.Names)}.");
    }
}
