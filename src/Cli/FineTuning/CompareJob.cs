using System.Diagnostics;
using System.Globalization;
using System.Text;
using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Onnx;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Metrics;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// <c>nfs compare</c>: on the procedural shapes (<see cref="ShapesDataset"/>), pretrain a small CNN on classes 0-4 (the
/// original task), export it to ONNX, and then for each N learn classes 5-9 (the new task) from N examples per class
/// three ways: from scratch, fine-tuning with the imported backbone frozen (features cached), and fine-tuning all of it
/// (the backbone at a lower learning rate). Reports test accuracy, time and peak memory per approach and N, and how much
/// of the original task each fine-tuned backbone still knows when its original head is put back (catastrophic forgetting).
/// </summary>
public static class CompareJob
{
    /// <summary>The original task's classes.</summary>
    public static readonly int[] OldClasses = [0, 1, 2, 3, 4];

    /// <summary>The new task's classes.</summary>
    public static readonly int[] NewClasses = [5, 6, 7, 8, 9];

    /// <summary>Runs <paramref name="s"/>; returns the exit code.</summary>
    public static int Execute(CompareSettings s, TextWriter output, TextWriter error)
    {
        try
        {
            Run(s, output);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OnnxGraphException or NotSupportedException or TrainingDivergedException)
        {
            error.WriteLine($"compare: {e.Message}");
            return 1;
        }
    }

    /// <summary>Runs the comparison and returns its rows.</summary>
    public static IReadOnlyList<CompareRow> Run(CompareSettings s, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        Check(s);
        if (s.Threads > 0) CpuParallel.MaxThreads = s.Threads;
        var total = Stopwatch.StartNew();
        string folder = s.Output ?? DefaultFolder();
        Directory.CreateDirectory(folder);
        string Names(int[] classes) => string.Join(", ", classes.Select(c => ShapesDataset.ClassNames[c]));

        // ---- data: separate seeds for pretraining, new-task training and testing ----
        int maxN = s.PerClass.Max();
        var pretrain = Materialize(SubsetDataset.PerClass(Shapes(s.PretrainPerClass, s.Seed * 10 + 1, s.Size), LabelsOf(10 * s.PretrainPerClass), OldClasses, s.PretrainPerClass));
        var newPool = Shapes(maxN, s.Seed * 10 + 2, s.Size);
        var testPool = Shapes(s.TestPerClass, s.Seed * 10 + 3, s.Size);
        var oldTest = Materialize(SubsetDataset.PerClass(testPool, LabelsOf(testPool.Count), OldClasses, s.TestPerClass));
        var newTest = Materialize(SubsetDataset.PerClass(testPool, LabelsOf(testPool.Count), NewClasses, s.TestPerClass));
        output.WriteLine(string.Create(inv, $"original task: {Names(OldClasses)} ({s.PretrainPerClass} images per class to pretrain); new task: {Names(NewClasses)}; {s.Size}x{s.Size} procedural images; {s.TestPerClass} test images per class for each task"));

        // ---- pretrain and export ----
        var clock = Stopwatch.StartNew();
        var pretrained = Network(s.Model, OldClasses.Length, new Generator(s.Seed * 10 + 4));
        var pretrainer = new Trainer(pretrained, new CrossEntropyLoss(), new Adam(pretrained.Parameters(), lr: s.LearningRate),
            new TrainerOptions { Epochs = s.PretrainEpochs, BatchSize = 32, Seed = s.Seed, Transform = new Compose(new RandomHorizontalFlip()) });
        pretrainer.Fit(pretrain);
        double pretrainAccuracy = AccuracyOf(pretrained, oldTest);
        string onnxPath = Path.Combine(folder, "backbone.onnx");
        OnnxExporter.Save(pretrained, onnxPath, new Shape(1, 3, s.Size, s.Size));
        var reference = BackboneLoader.Load(onnxPath);
        double oldTaskBefore = AccuracyOf(reference.Model, oldTest);
        output.WriteLine(string.Create(inv,
            $"pretrained {(s.Model == "small" ? "a small CNN" : BackboneLoader.Describe(pretrained))} ({pretrained.ParameterCount():N0} parameters) on the original task in {clock.Elapsed.TotalSeconds:F1} s: test accuracy {100 * pretrainAccuracy:F1}%; exported to {onnxPath}, imported back: {100 * oldTaskBefore:F1}%"));
        if (s.SaveFolder is not null) SaveFolder(newPool, s.SaveFolder, maxN, output);

        // ---- the comparison ----
        var rows = new List<CompareRow>();
        output.WriteLine();
        output.WriteLine(Header);
        foreach (int n in s.PerClass)
        {
            var train = Materialize(SubsetDataset.PerClass(newPool, LabelsOf(newPool.Count), NewClasses, n));
            foreach (var approach in s.Approaches)
            {
                var row = RunApproach(approach, n, train, newTest, oldTest, onnxPath, s);
                rows.Add(row);
                output.WriteLine(Format(row));
            }
        }

        // ---- outputs ----
        output.WriteLine();
        foreach (var line in Conclusions(rows, oldTaskBefore)) output.WriteLine(line);
        File.WriteAllText(Path.Combine(folder, "compare.csv"), Csv(rows, oldTaskBefore));
        string plot = Path.Combine(folder, "compare.png");
        ComparePlot.Save(rows, oldTaskBefore, plot);
        output.WriteLine(string.Create(inv, $"wrote {Path.Combine(folder, "compare.csv")}, {plot} and {onnxPath}; total {total.Elapsed.TotalSeconds:F0} s"));
        return rows;
    }

    private static CompareRow RunApproach(string approach, int n, IDataset train, IDataset newTest, IDataset oldTest, string onnxPath, CompareSettings s)
    {
        var generator = new Generator(s.Seed * 1000 + (ulong)n * 10 + (ulong)approach.Length);
        var clock = Stopwatch.StartNew();
        FineTuner tuner;
        Module? originalHead = null;
        double backboneScale = 1;
        if (approach == "scratch")
        {
            tuner = new FineTuner(Network(s.Model, NewClasses.Length, generator));
        }
        else
        {
            tuner = new FineTuner(BackboneLoader.Load(onnxPath).Model);
            originalHead = tuner.Layout.Head;
            tuner.ReplaceHead(NewClasses.Length, generator: generator);
            if (approach == "frozen") tuner.FreezeBackbone();
            else backboneScale = s.BackboneLrScale;
        }
        var optimizer = new Adam(tuner.ParameterGroups(s.LearningRate, backboneScale), lr: s.LearningRate);
        var run = new FineTuningRun(tuner, new CrossEntropyLoss(), optimizer,
            new FineTuningOptions { Epochs = s.Epochs, BatchSize = s.BatchSize, Seed = s.Seed, EvaluationBatchSize = 64 });
        var result = run.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        double memoryMb = Footprint(tuner, train, s.BatchSize, result.CachedEpochs > 0).TotalMb;
        long trainable = tuner.Model.TrainableParameters().Sum(p => (long)p.Numel);
        double accuracy = AccuracyOf(tuner.Model, newTest);
        double oldAfter = double.NaN;
        if (originalHead is not null)
        {
            // The original head back on the (possibly changed) backbone: what is left of the original task.
            var newHead = tuner.Layout.Head;
            tuner.ReplaceHead(originalHead);
            oldAfter = AccuracyOf(tuner.Model, oldTest);
            tuner.ReplaceHead(newHead);
        }
        return new CompareRow(n, approach, accuracy, oldAfter, seconds, memoryMb, trainable);
    }

    // What training held: weights, Adam's gradients and moments for what trained, cached features, one step's activations.
    private static TrainingFootprint Footprint(FineTuner tuner, IDataset train, int batchSize, bool cached)
    {
        using var batch = new DataLoader(train, batchSize, shuffle: false, prefetch: 0).First();
        if (!cached) return TrainingFootprint.Measure(tuner.Model, tuner.Model, batch.Inputs, optimizerSlots: 2);
        Tensor features;
        bool training = tuner.Model.IsTraining;
        tuner.Model.Eval();
        using (NoGrad.Scope()) features = tuner.Layout.ForwardFeatures(new Variable(batch.Inputs)).Data;
        tuner.Model.Train(training);
        long cachedBytes = 4L * train.Count * (features.Numel / batch.Size);
        return TrainingFootprint.Measure(tuner.Model, tuner.Layout.HeadForTraining, features, optimizerSlots: 2, cachedBytes);
    }

    /// <summary>The accuracy of <paramref name="model"/> on <paramref name="data"/>, in evaluation mode.</summary>
    public static double AccuracyOf(Module model, IDataset data)
    {
        bool training = model.IsTraining;
        model.Eval();
        long correct = 0;
        foreach (var batch in new DataLoader(data, 100, shuffle: false, prefetch: 0))
        {
            using (batch)
            using (InferenceMode.Enter())
                correct += Accuracy.CountCorrect(model.Forward(batch.Inputs).Data, batch.Targets);
        }
        model.Train(training);
        return (double)correct / data.Count;
    }

    /// <summary>The table's header line.</summary>
    public static string Header => "per_class  approach  test_acc  old_task_acc  seconds  memory_mb  trainable_params";

    private static string Format(CompareRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.PerClass,9}  {r.Approach,-8}  {100 * r.TestAccuracy,7:F1}%  {(double.IsNaN(r.OldTaskAfter) ? "-" : (100 * r.OldTaskAfter).ToString("F1", CultureInfo.InvariantCulture) + "%"),12}  {r.Seconds,7:F1}  {r.MemoryMb,9:F2}  {r.TrainableParameters,16:N0}");

    private static IEnumerable<string> Conclusions(IReadOnlyList<CompareRow> rows, double oldBefore)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var group in rows.GroupBy(r => r.PerClass))
        {
            var best = group.MaxBy(r => r.TestAccuracy)!;
            var fastest = group.MinBy(r => r.Seconds)!;
            yield return string.Create(inv, $"N={group.Key}: most accurate {best.Approach} ({100 * best.TestAccuracy:F1}%), fastest {fastest.Approach} ({fastest.Seconds:F1} s)");
        }
        foreach (var r in rows.Where(r => !double.IsNaN(r.OldTaskAfter)))
            if (r.Approach == "full")
                yield return string.Create(inv, $"forgetting, N={r.PerClass}, full fine-tuning: the original task fell from {100 * oldBefore:F1}% to {100 * r.OldTaskAfter:F1}% with its original head put back ({100 * (oldBefore - r.OldTaskAfter):F1} points)");
        if (rows.Any(r => r.Approach == "frozen"))
            yield return string.Create(inv, $"the frozen backbone keeps the original task intact ({100 * oldBefore:F1}%): its weights and BatchNorm statistics never change");
    }

    private static string Csv(IReadOnlyList<CompareRow> rows, double oldBefore)
    {
        var sb = new StringBuilder("per_class,approach,test_accuracy,old_task_accuracy_before,old_task_accuracy_after,seconds,memory_mb,trainable_parameters\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.PerClass},{r.Approach},{r.TestAccuracy:R},{(r.Approach == "scratch" ? "" : oldBefore.ToString("R", CultureInfo.InvariantCulture))},{(double.IsNaN(r.OldTaskAfter) ? "" : r.OldTaskAfter.ToString("R", CultureInfo.InvariantCulture))},{r.Seconds:F3},{r.MemoryMb:F3},{r.TrainableParameters}\n");
        return sb.ToString();
    }

    private static Module Network(string model, int classes, Generator generator) =>
        model == "small" ? CompareNetwork.Create(classes, generator) : BackboneLoader.Build(model, classes, generator);

    private static ShapesDataset Shapes(int perClass, ulong seed, int size) => new(10 * perClass, seed, size);

    private static int[] LabelsOf(int count) => Enumerable.Range(0, count).Select(i => i % ShapesDataset.ClassNames.Count).ToArray();

    /// <summary>Copies every sample of <paramref name="data"/> into memory.</summary>
    private static InMemoryDataset Materialize(IDataset data)
    {
        int size = data.SampleShape.Numel;
        var features = new float[data.Count * size];
        var labels = new int[data.Count];
        Parallel.For(0, data.Count, i => labels[i] = data.CopySample(i, features.AsSpan(i * size, size)));
        return new InMemoryDataset(features, labels, data.SampleShape, data.ClassCount, "shapes");
    }

    private static void SaveFolder(ShapesDataset pool, string folder, int perClass, TextWriter output)
    {
        var labels = LabelsOf(pool.Count);
        var pixels = new float[pool.SampleShape.Numel];
        var layout = new ImageLayout(pool.Channels, pool.Size, pool.Size);
        int written = 0;
        for (int i = 0; i < pool.Count; i++)
        {
            if (!NewClasses.Contains(labels[i])) continue;
            pool.CopySample(i, pixels);
            ImageFile.WritePng(Path.Combine(folder, ShapesDataset.ClassNames[labels[i]].Replace(' ', '_'), $"{i:D5}.png"), pixels, layout);
            written++;
        }
        output.WriteLine($"wrote {written} images of the new task ({perClass} per class) to {folder}");
    }

    private static void Check(CompareSettings s)
    {
        if (s.PerClass.Count == 0 || s.PerClass.Any(n => n < 1)) throw new ArgumentException("--per-class needs one or more positive counts, e.g. 5,20,50.");
        foreach (var a in s.Approaches)
            if (a is not ("scratch" or "frozen" or "full")) throw new ArgumentException($"--approaches: '{a}' is not one of scratch, frozen, full.");
        if (s.Model != "small" && !BackboneLoader.BuilderNames.Contains(s.Model))
            throw new ArgumentException($"--model must be small or one of {string.Join(", ", BackboneLoader.BuilderNames)}, got '{s.Model}'.");
        if (s.Size < 8) throw new ArgumentException($"--size must be at least 8, got {s.Size}.");
        if (s.Epochs < 1 || s.PretrainEpochs < 1) throw new ArgumentException("--epochs and --pretrain-epochs must be at least 1.");
        if (s.PretrainPerClass < 2 || s.TestPerClass < 1) throw new ArgumentException("--pretrain-per-class must be at least 2 and --test-per-class at least 1.");
        if (s.BatchSize < 2) throw new ArgumentException($"--batch-size must be at least 2, got {s.BatchSize}.");
    }

    private static string DefaultFolder()
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string path = Path.Combine("runs", $"compare-{stamp}");
        for (int i = 2; Directory.Exists(path); i++) path = Path.Combine("runs", $"compare-{stamp}-{i}");
        return path;
    }
}
