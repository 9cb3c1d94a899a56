using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Cli.Training;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// One <c>nfs finetune</c> run from start to end: load the backbone, read the image folder, replace the head, freeze,
/// build per-block learning rates, train (<see cref="FineTuningRun"/>: cached features while the backbone is frozen),
/// and write the run folder (metrics.csv, model.safetensors, best.safetensors, checkpoint.safetensors, curves, options.txt,
/// summary.txt). A checkpoint after every epoch lets <see cref="Resume"/> continue an interrupted run exactly.
/// </summary>
public static class FinetuneJob
{
    /// <summary>The checkpoint file in the run folder, written after every epoch.</summary>
    public const string CheckpointFile = "checkpoint.safetensors";

    /// <summary>ImageNet's per-channel mean, which torchvision's pretrained models expect.</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet's per-channel standard deviation.</summary>
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>The checkpoint's metadata entry (under <c>extra.</c>) holding the run's settings.</summary>
    public const string SettingsKey = "finetune.settings";

    private const string ClassesKey = "finetune.classes", BestKey = "finetune.best", BestEpochKey = "finetune.best_epoch";

    /// <summary>Runs <paramref name="s"/>; returns the process exit code.</summary>
    public static int Execute(FinetuneSettings s, TextWriter output, TextWriter error) => Guarded(() => Run(s, null, output, error), error);

    /// <summary>
    /// Continues the run that wrote <paramref name="checkpoint"/> with the settings saved in it; returns the process exit code.
    /// </summary>
    /// <param name="checkpoint">A run folder's checkpoint.safetensors.</param>
    /// <param name="epochs">A new total number of epochs, or null to keep the checkpoint's.</param>
    /// <param name="outDirectory">The run folder, or null for the checkpoint's folder.</param>
    /// <param name="threads">CPU threads, or null to keep the checkpoint's setting.</param>
    /// <param name="output">Where progress and results go.</param>
    /// <param name="error">Where error messages go.</param>
    public static int Resume(string checkpoint, int? epochs, string? outDirectory, int? threads, TextWriter output, TextWriter error) => Guarded(() =>
    {
        var state = Checkpoint.Load(checkpoint);
        if (!state.Has("extra." + SettingsKey) || !FineTuningCheckpoint.IsFineTuning(state))
            throw new InvalidOperationException(state.Has("extra.cli.settings")
                ? $"{checkpoint}: a checkpoint of nfs train, not of a fine-tuning run; continue it with nfs train --resume."
                : $"{checkpoint}: not a fine-tuning checkpoint (it holds no fine-tuning settings).");
        FinetuneSettings saved;
        try
        {
            saved = FinetuneSettings.Parse(state.Get("extra." + SettingsKey));
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{checkpoint}: {e.Message}", e);
        }
        var s = saved with
        {
            Epochs = epochs ?? saved.Epochs,
            Threads = threads ?? saved.Threads,
            Output = outDirectory ?? Path.GetDirectoryName(Path.GetFullPath(checkpoint)),
        };
        // Nothing would train, and a new --out folder would get no weights: say so rather than write an empty run.
        int done = FineTuningCheckpoint.EpochOf(state);
        if (s.Epochs <= done)
            throw new ArgumentException($"{checkpoint}: the run has already trained {done} of {s.Epochs} epochs; give --epochs above {done} to continue it.");
        return Run(s, state, output, error);
    }, error);

    private static int Guarded(Func<int> run, TextWriter error)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is ArgumentException or IOException or DataFormatException or FormatException or InvalidOperationException
                                       or NetFromScratch.Onnx.OnnxGraphException or NetFromScratch.Onnx.OnnxFormatException or TrainingDivergedException
                                       or NetFromScratch.Tensors.Serialization.SafeTensorsFormatException)
        {
            error.WriteLine($"finetune: {e.Message}");
            return 1;
        }
    }

    private static int Run(FinetuneSettings s, CheckpointState? resume, TextWriter output, TextWriter error)
    {
        var inv = CultureInfo.InvariantCulture;
        Check(s);
        if (s.Threads > 0) CpuParallel.MaxThreads = s.Threads;
        var device = DeviceChoice.Resolve(s.Device);
        var total = Stopwatch.StartNew();

        // ---- data ----
        var folderOptions = new ImageFolderOptions { Height = s.InputSize, Width = s.InputSize, Channels = 3, Lazy = s.Lazy, Log = error };
        var all = new ImageFolderDataset(s.Data, folderOptions);
        IDataset train = all;
        IDataset? validation = null;
        string split;
        if (s.Validation is not null)
        {
            var val = new ImageFolderDataset(s.Validation, folderOptions);
            if (!val.ClassNames.SequenceEqual(all.ClassNames))
                throw new ArgumentException($"the validation folder's classes ({string.Join(", ", val.ClassNames)}) differ from the training folder's ({string.Join(", ", all.ClassNames)}).");
            validation = val;
            split = $"validation folder {s.Validation}";
        }
        else if (s.ValidationSplit > 0)
        {
            (train, validation) = SubsetDataset.StratifiedSplit(all, all.Labels.ToArray(), s.ValidationSplit, s.Seed);
            split = string.Create(inv, $"{s.ValidationSplit:P0} held out per class");
        }
        else split = "no validation";
        int classes = s.NumClasses ?? all.ClassCount;
        if (classes < all.ClassCount)
            throw new ArgumentException($"--num-classes {classes} is fewer than the {all.ClassCount} class folders in {s.Data}.");
        if (resume is not null && resume.Metadata.GetValueOrDefault("extra." + ClassesKey) is { } trained && trained != string.Join(",", all.ClassNames))
        {
            var names = trained.Split(',');
            throw new InvalidOperationException($"{resume.Source}: the checkpoint was trained on {names.Length} classes ({string.Join(", ", names)}) but {s.Data} has {all.ClassCount} ({string.Join(", ", all.ClassNames)}); resume with the data it was trained on.");
        }
        output.WriteLine(string.Create(inv, $"data: {s.Data}: {all.Count} images in {all.ClassCount} classes ({string.Join(", ", all.ClassNames)}) at {s.InputSize}x{s.InputSize}; {train.Count} train, {validation?.Count ?? 0} validation ({split})"));

        // ---- model ----
        var generator = new Generator(s.Seed);
        var loaded = BackboneLoader.Load(s.Backbone, s.Weights, null, generator);
        foreach (var note in loaded.Notes) error.WriteLine($"note: {note}");
        if (!loaded.Pretrained)
        {
            foreach (var line in RandomWeightsWarning(s.Backbone)) output.WriteLine(line);
        }
        output.WriteLine($"backbone: {loaded.Description}");
        var tuner = new FineTuner(loaded.Model);
        tuner.ReplaceHead(classes, s.HeadHidden, s.HeadDropout, generator);
        string freeze = s.FreezeUntil ?? (loaded.Pretrained ? "backbone" : "none");
        var frozen = tuner.FreezeUntil(freeze);
        // Everything the run trains lives on the device from here on: the optimizer's state is created beside each parameter.
        if (!ReferenceEquals(device, Device.Cpu)) loaded.Model.To(device);
        var groups = tuner.ParameterGroups(s.LearningRate, s.BackboneLrScale, s.LrDecay);
        var optimizer = MakeOptimizer(s, groups);
        output.WriteLine(string.Create(inv, $"head: {tuner.Layout.HeadPath} -> {classes} classes{(s.HeadHidden > 0 ? $" through {s.HeadHidden} hidden units" : "")}; frozen until '{freeze}' ({frozen.Count} parameter tensors){(s.UnfreezeEvery > 0 ? $"; one more block unfrozen every {s.UnfreezeEvery} epochs" : "")}"));
        output.WriteLine(tuner.Describe(optimizer.ParamGroups));
        output.WriteLine(DeviceChoice.Describe(device));

        // ---- transforms ----
        Normalize? normalize = s.Normalize switch
        {
            "imagenet" => new Normalize(ImageNetMean, ImageNetStd),
            "data" => DataNormalize(train),
            _ => null,
        };
        var augment = AugmentationSpec.Parse(s.Augment);
        ISampleTransform? trainTransform = augment.Transforms.Count == 0 ? normalize
            : normalize is null ? augment : new Compose([.. augment.Transforms, normalize]);
        output.WriteLine($"transforms: train {trainTransform?.ToString() ?? "none"}; validation {normalize?.ToString() ?? "none"}");

        // ---- run folder ----
        string folder = s.Output ?? DefaultFolder();
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "options.txt"), s.Describe());
        File.WriteAllLines(Path.Combine(folder, "classes.txt"), all.ClassNames);
        var metadata = new Dictionary<string, string>
        {
            ["backbone"] = loaded.Description,
            ["classes"] = string.Join(",", all.ClassNames),
            ["input_size"] = s.InputSize.ToString(inv),
            ["normalize"] = normalize?.ToString() ?? "none",
        };

        // ---- train ----
        var progress = new EpochTable(output);
        double best = double.NegativeInfinity;
        int bestEpoch = 0;
        var checkpointMetadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingsKey] = s.Anchored().Describe(),
            [ClassesKey] = string.Join(",", all.ClassNames),
        };
        if (resume is not null)
        {
            best = double.Parse(resume.Get("extra." + BestKey), inv);
            bestEpoch = int.Parse(resume.Get("extra." + BestEpochKey), inv);
            KeepBestWeights(resume.Source!, folder, bestEpoch);
            output.WriteLine($"resuming from {resume.Source} after epoch {FineTuningCheckpoint.EpochOf(resume)}");
        }
        var options = new FineTuningOptions
        {
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            // Feature extraction and validation at the training batch size: larger batches gain little on a CPU and hold
            // proportionally more activation memory (a batch of 32 at 224x224 has 100 MB tensors in ResNet's stem).
            EvaluationBatchSize = s.BatchSize,
            Seed = s.Seed,
            Transform = trainTransform,
            ValidationTransform = normalize,
            CacheFeatures = s.Cache,
            UnfreezeEvery = s.UnfreezeEvery,
            Device = device,
            Generators = [generator],
            CheckpointPath = Path.Combine(folder, CheckpointFile),
            CheckpointMetadata = checkpointMetadata,
            Log = output,
            BatchEnd = progress.OnBatch,
            EpochEnd = m =>
            {
                progress.OnEpoch(m);
                loaded.Model.Save(Path.Combine(folder, "model.safetensors"), metadata);
                double score = m.HasValidation ? m.ValidationAccuracy : -m.TrainLoss;
                if (score > best)
                {
                    best = score;
                    bestEpoch = m.Epoch;
                    loaded.Model.Save(Path.Combine(folder, "best.safetensors"), metadata);
                }
                // Read by the checkpoint written right after this, so a resumed run keeps comparing against the same best.
                checkpointMetadata[BestKey] = best.ToString("R", inv);
                checkpointMetadata[BestEpochKey] = bestEpoch.ToString(inv);
            },
        };
        var loss = new CrossEntropyLoss();
        var run = new FineTuningRun(tuner, loss, optimizer, options);
        var result = run.Fit(train, validation, resume);
        result.History.BestEpoch = bestEpoch == 0 ? null : bestEpoch;
        result.History.WriteCsv(Path.Combine(folder, "metrics.csv"));
        string? plot = RunPlots.TrySaveCurves(result.History, Path.Combine(folder, "curves.png"), $"finetune {Path.GetFileName(s.Backbone)}");

        // ---- summary ----
        var lines = new List<string>();
        var epochs = result.History.Epochs;
        if (epochs.Count > 0)
        {
            double firstRate = train.Count / epochs[0].Seconds;
            lines.Add(string.Create(inv, $"epoch 1: {epochs[0].Seconds:F1} s ({firstRate:F1} samples/s){(result.CachedEpochs > 0 ? $", of which {result.CacheSeconds:F1} s computing cached features" : "")}"));
            if (epochs.Count > 1)
            {
                double later = epochs.Skip(1).Average(e => e.Seconds);
                lines.Add(string.Create(inv, $"later epochs: {later:F2} s on average ({train.Count / later:F0} samples/s){(result.CachedEpochs > 1 ? $"; epochs 2-{result.CachedEpochs} trained only the head on cached features" : "")}"));
            }
        }
        if (result.CachedEpochs == 0) lines.Add(result.CacheNote);
        foreach (var (epoch, block) in result.Unfrozen) lines.Add($"epoch {epoch.ToString(inv)}: unfroze {block.Name}");
        if (validation is not null)
        {
            var evaluator = new Trainer(loaded.Model, loss, optimizer, new TrainerOptions { EvaluationBatchSize = s.BatchSize, Device = device });
            var final = evaluator.Evaluate(normalize is null ? validation : new TransformedDataset(validation, normalize));
            lines.Add(string.Create(inv, $"final validation accuracy {100 * final.Accuracy:F2}% (loss {final.Loss:F4}) on {final.Samples} images; best epoch {bestEpoch} ({100 * best:F2}%)"));
        }
        lines.Add(string.Create(inv, $"total {total.Elapsed.TotalSeconds:F1} s on {device}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB"));
        lines.Add($"wrote {folder}: metrics.csv, model.safetensors (last), best.safetensors (epoch {bestEpoch.ToString(inv)}), {CheckpointFile} (for --resume), options.txt, classes.txt, summary.txt{(plot is null ? "" : ", curves.png")}");
        if (!loaded.Pretrained) lines.Add("reminder: the backbone started from random weights; this was training from scratch, not fine-tuning.");
        foreach (var line in lines) output.WriteLine(line);
        File.WriteAllLines(Path.Combine(folder, "summary.txt"), [loaded.Description, result.CacheNote, .. lines]);
        return 0;
    }

    /// <summary>
    /// A run resumed into another folder takes the best weights so far with it, so that best.safetensors always holds
    /// the epoch the summary names.
    /// </summary>
    private static void KeepBestWeights(string checkpoint, string folder, int bestEpoch)
    {
        string from = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, "best.safetensors");
        string to = Path.Combine(folder, "best.safetensors");
        if (bestEpoch > 0 && File.Exists(from) && Path.GetFullPath(from) != Path.GetFullPath(to)) File.Copy(from, to, overwrite: true);
    }

    /// <summary>The banner printed when a builder name has no weights: loudly, because the run is not fine-tuning.</summary>
    public static IEnumerable<string> RandomWeightsWarning(string backbone)
    {
        string bar = new('!', 100);
        yield return bar;
        yield return $"!! WARNING: --backbone {backbone} without a weights file starts from RANDOM weights.";
        yield return "!! This is TRAINING FROM SCRATCH, not fine-tuning: nothing pretrained is reused, nothing is frozen by default,";
        yield return "!! and a deep network needs far more data and epochs this way. Give --backbone MODEL.onnx (or --weights FILE) to fine-tune.";
        yield return bar;
    }

    private static void Check(FinetuneSettings s)
    {
        if (s.Epochs < 0) throw new ArgumentException($"--epochs must not be negative, got {s.Epochs}.");
        if (s.BatchSize < 1) throw new ArgumentException($"--batch-size must be at least 1, got {s.BatchSize}.");
        if (s.InputSize < 8) throw new ArgumentException($"--input-size must be at least 8, got {s.InputSize}.");
        if (s.UnfreezeEvery < 0) throw new ArgumentException($"--unfreeze-every must not be negative, got {s.UnfreezeEvery}.");
        if (!(s.ValidationSplit >= 0 && s.ValidationSplit < 1)) throw new ArgumentException($"--val-split must be in [0, 1), got {s.ValidationSplit}.");
        if (s.NumClasses is < 1) throw new ArgumentException($"--num-classes must be at least 1, got {s.NumClasses}.");
    }

    private static Optimizer MakeOptimizer(FinetuneSettings s, IReadOnlyList<ParamGroup> groups) => s.Optimizer switch
    {
        "adam" => new Adam(groups, lr: s.LearningRate, weightDecay: s.WeightDecay),
        "adamw" => new AdamW(groups, lr: s.LearningRate, weightDecay: s.WeightDecay),
        "sgd" => new SGD(groups, lr: s.LearningRate, momentum: s.Momentum, weightDecay: s.WeightDecay),
        _ => throw new ArgumentException($"--optimizer must be adam, adamw or sgd, got '{s.Optimizer}'."),
    };

    private static Normalize DataNormalize(IDataset train)
    {
        var stats = ChannelStatistics.Compute(train, maxSamples: 500);
        return new Normalize(stats.Mean.ToArray(), stats.Std.Select(v => Math.Max(v, 1e-3f)).ToArray());
    }

    private static string DefaultFolder()
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string path = Path.Combine("runs", $"finetune-{stamp}");
        for (int i = 2; Directory.Exists(path); i++) path = Path.Combine("runs", $"finetune-{stamp}-{i}");
        return path;
    }
}
