using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// One <c>nfs finetune</c> run from start to end: load the backbone, read the image folder, replace the head, freeze,
/// build per-block learning rates, train (<see cref="FineTuningRun"/>: cached features while the backbone is frozen),
/// and write the run folder (metrics.csv, model.safetensors, best.safetensors, curves, options.txt, summary.txt).
/// </summary>
public static class FinetuneJob
{
    /// <summary>ImageNet's per-channel mean, which torchvision's pretrained models expect.</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet's per-channel standard deviation.</summary>
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>Runs <paramref name="s"/>; returns the process exit code.</summary>
    public static int Execute(FinetuneSettings s, TextWriter output, TextWriter error)
    {
        try
        {
            return Run(s, output, error);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or DataFormatException
                                       or InvalidOperationException or NetFromScratch.Onnx.OnnxGraphException or NetFromScratch.Onnx.OnnxFormatException or TrainingDivergedException)
        {
            error.WriteLine($"finetune: {e.Message}");
            return 1;
        }
    }

    private static int Run(FinetuneSettings s, TextWriter output, TextWriter error)
    {
        var inv = CultureInfo.InvariantCulture;
        Check(s);
        if (s.Threads > 0) CpuParallel.MaxThreads = s.Threads;
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
        var groups = tuner.ParameterGroups(s.LearningRate, s.BackboneLrScale, s.LrDecay);
        var optimizer = MakeOptimizer(s, groups);
        output.WriteLine(string.Create(inv, $"head: {tuner.Layout.HeadPath} -> {classes} classes{(s.HeadHidden > 0 ? $" through {s.HeadHidden} hidden units" : "")}; frozen until '{freeze}' ({frozen.Count} parameter tensors){(s.UnfreezeEvery > 0 ? $"; one more block unfrozen every {s.UnfreezeEvery} epochs" : "")}"));
        output.WriteLine(tuner.Describe(optimizer.ParamGroups));

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
        var options = new FineTuningOptions
        {
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            EvaluationBatchSize = Math.Max(s.BatchSize, 32),
            Seed = s.Seed,
            Transform = trainTransform,
            ValidationTransform = normalize,
            CacheFeatures = s.Cache,
            UnfreezeEvery = s.UnfreezeEvery,
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
            },
        };
        var loss = new CrossEntropyLoss();
        var run = new FineTuningRun(tuner, loss, optimizer, options);
        var result = run.Fit(train, validation);
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
            var evaluator = new Trainer(loaded.Model, loss, optimizer, new TrainerOptions { EvaluationBatchSize = Math.Max(s.BatchSize, 32) });
            var final = evaluator.Evaluate(normalize is null ? validation : new TransformedDataset(validation, normalize));
            lines.Add(string.Create(inv, $"final validation accuracy {100 * final.Accuracy:F2}% (loss {final.Loss:F4}) on {final.Samples} images; best epoch {bestEpoch} ({100 * best:F2}%)"));
        }
        lines.Add(string.Create(inv, $"total {total.Elapsed.TotalSeconds:F1} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB"));
        lines.Add($"wrote {folder}: metrics.csv, model.safetensors (last), best.safetensors (epoch {bestEpoch.ToString(inv)}), options.txt, classes.txt, summary.txt{(plot is null ? "" : ", curves.png")}");
        if (!loaded.Pretrained) lines.Add("reminder: the backbone started from random weights; this was training from scratch, not fine-tuning.");
        foreach (var line in lines) output.WriteLine(line);
        File.WriteAllLines(Path.Combine(folder, "summary.txt"), [loaded.Description, result.CacheNote, .. lines]);
        return 0;
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
