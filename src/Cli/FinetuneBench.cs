using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Cli.FineTuning;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs bench finetune</c>: training speed of a fine-tuning step on random images, with the backbone frozen
/// (<c>--frozen</c>: the first epoch's cost, and the head-only cost of later epochs once features are cached), fully
/// trainable, or inference only (<c>--inference</c>).
/// </summary>
public static class FinetuneBench
{
    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"Network: {string.Join(", ", BackboneLoader.BuilderNames)}.", DefaultValueFactory = _ => "resnet18" };
        var inputSize = new Option<int>("--input-size") { Description = "Image height and width.", DefaultValueFactory = _ => 224 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => 8 };
        var frozen = new Option<bool>("--frozen") { Description = "Freeze everything but the head (and also time head-only steps on cached features)." };
        var inference = new Option<bool>("--inference") { Description = "Time forward passes without gradients instead of training steps." };
        var hidden = new Option<int>("--head-hidden") { Description = "Replace the head with Linear-ReLU-Linear of this many hidden units (for VGG: the whole classifier).", DefaultValueFactory = _ => 0 };
        var classes = new Option<int>("--classes") { Description = "Classes of the new head.", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after the warm-up).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for the kernels.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var noCompile = new Option<bool>("--no-compile") { Description = "Run a frozen backbone (and inference) through the modules instead of compiled with BatchNorm folded." };

        var command = new Command("finetune",
            "Measure fine-tuning speed on random images: samples per second of a training step (Adam) with the backbone frozen " +
            "(--frozen) or trainable, or of inference (--inference). The rate comes from the median step after warm-up. With " +
            "--frozen the backbone runs compiled (BatchNorm folded; --no-compile for the modules), and a second line gives the " +
            "rates with cached features: the first epoch (the backbone once, without gradients) and every later one (the head alone).");
        foreach (var o in new Option[] { model, inputSize, batchSize, frozen, inference, hidden, classes, steps, warmup, threads, noCompile }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                CpuParallel.MaxThreads = Math.Max(1, parse.GetValue(threads));
                Run(parse.GetValue(model)!, parse.GetValue(inputSize), parse.GetValue(batchSize), parse.GetValue(frozen), parse.GetValue(inference),
                    parse.GetValue(hidden), parse.GetValue(classes), Math.Max(1, parse.GetValue(steps)), Math.Max(0, parse.GetValue(warmup)), Console.Out,
                    compile: !parse.GetValue(noCompile));
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"bench finetune: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Runs the measurement and writes its lines to <paramref name="output"/>.</summary>
    public static void Run(string modelName, int inputSize, int batch, bool frozen, bool inference, int hidden, int classes, int steps, int warmup, TextWriter output,
        bool compile = true)
    {
        if (inputSize < 32) throw new ArgumentException($"--input-size must be at least 32, got {inputSize}.");
        if (batch < 1) throw new ArgumentException($"--batch-size must be at least 1, got {batch}.");
        var generator = new Generator(1);
        var model = BackboneLoader.Build(modelName, 1000, generator);
        var tuner = new FineTuner(model);
        tuner.ReplaceHead(classes, hidden, generator: generator);
        if (frozen) tuner.FreezeBackbone();
        var inv = CultureInfo.InvariantCulture;
        string common = string.Create(inv, $"input={inputSize} batch={batch} threads={CpuParallel.MaxThreads}{(hidden > 0 ? $" head_hidden={hidden}" : "")}");
        var images = RandomImages((warmup + steps) * batch, new Shape(3, inputSize, inputSize), classes);

        if (inference)
        {
            // The whole network (backbone and head) without gradients; compiled unless asked not to.
            var compiledModel = compile ? FrozenBackbone.TryCompile(tuner.Layout)?.WithHead(tuner.Layout.HeadForTraining) : null;
            var t = TimeInference(compiledModel ?? model, images, batch, warmup);
            output.WriteLine(string.Create(inv, $"finetune model={modelName} inference=true samples_per_s={batch / t.MedianStep:F2} {common} path={(compiledModel is null ? "modules" : "compiled")} steps={t.Steps} ms_per_step={1000 * t.MedianStep:F0} mean_samples_per_s={batch / t.MeanStep:F2} cpu_s_per_step={t.CpuSecondsPerStep:F2}"));
            return;
        }

        var optimizer = new Adam(tuner.ParameterGroups(1e-4), lr: 1e-4);
        // A frozen backbone trains as nfs finetune runs it when features cannot be cached: compiled, unless asked not to.
        var compiled = frozen && compile ? FrozenBackbone.TryCompile(tuner.Layout) : null;
        var stepModel = compiled?.WithHead(tuner.Layout.HeadForTraining) ?? model;
        var r = TimeTraining(stepModel, optimizer, images, batch, warmup);
        output.WriteLine(string.Create(inv,
            $"finetune model={modelName} frozen={(frozen ? "true" : "false")} samples_per_s={batch / r.MedianStep:F2} {common} path={(compiled is null ? "modules" : "compiled")} steps={r.Steps} ms_per_step={1000 * r.MedianStep:F0} mean_samples_per_s={batch / r.MeanStep:F2} alloc_mb_per_step={r.AllocatedMbPerStep:F1} cpu_s_per_step={r.CpuSecondsPerStep:F2} trainable_params={model.TrainableParameters().Sum(p => (long)p.Numel)}"));
        if (!frozen) return;

        // With cached features: the first epoch runs the backbone once over the data (no gradients, compiled where
        // possible), later epochs train the head alone on the stored feature vectors.
        var extract = TimeFeatures(tuner.Layout, compile ? FrozenBackbone.TryCompile(tuner.Layout) : null, images, batch, warmup);
        var featureShape = extract.FeatureShape;
        int headSteps = 20;
        var features = RandomImages((warmup + headSteps) * batch, featureShape, classes);
        var headOptimizer = new Adam(tuner.Layout.HeadForTraining.Parameters(), lr: 1e-4);
        var h = TimeTraining(tuner.Layout.HeadForTraining, headOptimizer, features, batch, warmup);
        double first = 1 / (extract.Times.MedianStep / batch + h.MedianStep / batch);
        output.WriteLine(string.Create(inv,
            $"finetune model={modelName} frozen=true cached=true first_epoch_samples_per_s={first:F2} later_epochs_samples_per_s={batch / h.MedianStep:F0} {common} features={featureShape} later_vs_uncached={r.MedianStep / h.MedianStep:F0}x extract_cpu_s_per_step={extract.Times.CpuSecondsPerStep:F2}"));
    }

    private static (StepTimes Times, Shape FeatureShape) TimeFeatures(BackboneLayout layout, FrozenBackbone? compiled, InMemoryDataset data, int batch, int warmup)
    {
        layout.Model.Eval();
        var clock = new StepClock(warmup);
        Shape shape = default;
        foreach (var b in new DataLoader(data, batch, shuffle: false, dropLast: true))
        {
            using (b)
            using (InferenceMode.Enter())
            {
                var y = compiled?.Forward(b.Inputs) ?? layout.ForwardFeatures(new Variable(b.Inputs)).Data;
                shape = new Shape(y.Shape.Dims[1..].ToArray());
                y.Dispose();
            }
            clock.Tick();
        }
        return (clock.Result(), shape);
    }

    private sealed record StepTimes(int Steps, double MedianStep, double MeanStep, double AllocatedMbPerStep, double CpuSecondsPerStep);

    private static InMemoryDataset RandomImages(int count, Shape sample, int classes)
    {
        var g = new Generator(7);
        using var x = Tensor.Rand(new Shape([count, .. sample.ToArray()]), g);
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        return new InMemoryDataset(x.ToArray(), labels, sample, classes, "random");
    }

    private static StepTimes TimeTraining(Module model, Optimizer optimizer, InMemoryDataset data, int batch, int warmup)
    {
        var clock = new StepClock(warmup);
        var trainer = new Trainer(model, new CrossEntropyLoss(), optimizer, new TrainerOptions { Epochs = 1, BatchSize = batch, Shuffle = false, DropLast = true });
        trainer.Callbacks.Add(clock);
        trainer.Fit(data);
        return clock.Result();
    }

    private static StepTimes TimeInference(Module model, InMemoryDataset data, int batch, int warmup)
    {
        model.Eval();
        var clock = new StepClock(warmup);
        var loader = new DataLoader(data, batch, shuffle: false, dropLast: true);
        foreach (var b in loader)
        {
            using (b)
            using (InferenceMode.Enter()) model.Forward(b.Inputs);
            clock.Tick();
        }
        return clock.Result();
    }

    /// <summary>Times each step from the end of the previous one; the warm-up steps are not counted.</summary>
    private sealed class StepClock(int warmup) : TrainerCallback
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<double> _times = new();
        private double _last;
        private int _seen;
        private long _allocatedAtStart;
        private TimeSpan _cpuAtStart;

        private void MarkStart()
        {
            _allocatedAtStart = GC.GetTotalAllocatedBytes();
            _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        }

        public void Tick()
        {
            double now = _clock.Elapsed.TotalSeconds;
            if (_seen++ >= warmup) _times.Add(now - _last);
            else MarkStart();
            _last = now;
        }

        public override void OnEpochBegin(Trainer trainer, int epoch)
        {
            _last = _clock.Elapsed.TotalSeconds;
            MarkStart();
        }

        public override void OnBatchEnd(Trainer trainer, in BatchProgress progress) => Tick();

        public StepTimes Result()
        {
            if (_times.Count == 0) throw new InvalidOperationException("bench finetune: no step was timed.");
            var sorted = _times.Order().ToArray();
            double mb = (GC.GetTotalAllocatedBytes() - _allocatedAtStart) / 1048576.0 / _times.Count;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart).TotalSeconds / _times.Count;
            return new StepTimes(_times.Count, sorted[sorted.Length / 2], _times.Average(), mb, cpu);
        }
    }
}
