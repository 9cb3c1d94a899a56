using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Cli.Training;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs bench train</c>: the steady-state training speed of the reference MLP on MNIST-shaped batches (784 -&gt; 128 -&gt;
/// 64 -&gt; 10, cross-entropy, Adam, batch 64): whole optimizer steps as <c>nfs train</c> takes them, after a warm-up,
/// and the managed memory each step allocates.
/// </summary>
public static class TrainBench
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "mlp (784-128-64-10), mlp:H1,H2,..., cnn (the Keras CIFAR-10 CNN on 3x32x32) or vgg", DefaultValueFactory = _ => "mlp" };
        var batch = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => 64 };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time, split into three windows (the best is reported).", DefaultValueFactory = _ => 3.0 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for the kernels.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var noFused = new Option<bool>("--no-fused") { Description = "Measure the autograd step instead of the fused MLP step." };
        var epoch = new Option<bool>("--epoch") { Description = "Also time one epoch of random samples through the DataLoader (background prefetch): 60,000 MNIST-sized for MLPs, 6,400 CIFAR-sized for conv models." };
        var epochSamples = new Option<int>("--epoch-samples") { Description = "Samples in the --epoch run (0: the model's default above)." };
        var augment = new Option<string?>("--augment") { Description = "With --epoch: time the epoch again with this augmentation (as nfs train --augment, e.g. crop:4,flip) computed on the loader's thread, and compare." };
        var command = new Command("train",
            "Training steps per second of the reference MLP (Adam, MNIST-shaped random data), after a warm-up: the best of three " +
            "windows (and the median), the processor time per step (all threads; less disturbed by other processes than wall time), " +
            "and the managed bytes each steady step allocates (this thread, and all threads).");
        foreach (var o in new Option[] { model, batch, seconds, threads, noFused, epoch, epochSamples, augment }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var epochRun = parse.GetValue(epoch) ? new EpochRun(parse.GetValue(epochSamples), parse.GetValue(augment)) : null;
                if (epochRun is null && (parse.GetValue(augment) is not null || parse.GetValue(epochSamples) != 0))
                    throw new ArgumentException("--augment and --epoch-samples belong to the --epoch run; add --epoch.");
                Run(parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(seconds), parse.GetValue(threads), !parse.GetValue(noFused),
                    epochRun, Console.Out);
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("bench train: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    // MNIST-sized inputs for the MLPs (the reference program), CIFAR-sized for the convolutional models.
    private static Shape SampleShape(string spec) =>
        spec.StartsWith("cnn", StringComparison.Ordinal) || spec.StartsWith("vgg", StringComparison.Ordinal) ? new Shape(3, 32, 32) : new Shape(1, 28, 28);

    private static Trainer CreateTrainer(string spec, bool fused, Generator generator)
    {
        var net = ModelFactory.Create(spec, SampleShape(spec), 10, 0f, generator);
        return new Trainer(net, new CrossEntropyLoss(), new Adam(net.Parameters(), 1e-3), new TrainerOptions { UseFusedSteps = fused });
    }

    private static Trainer Setup(string spec, int batch, bool fused, out Tensor[] inputs, out Tensor[] targets)
    {
        var generator = new Generator(1);
        var sample = SampleShape(spec);
        var trainer = CreateTrainer(spec, fused, generator);
        inputs = new Tensor[8];
        targets = new Tensor[8];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Tensor.Rand(new Shape(new[] { batch }.Concat(sample.ToArray()).ToArray()), generator);
            var labels = new float[batch];
            for (int j = 0; j < batch; j++) labels[j] = generator.NextInt(10);
            targets[i] = Tensor.FromArray(labels, new Shape(batch));
        }
        return trainer;
    }

    /// <summary>The <c>--epoch</c> request: how many samples (0 = the model's default) and an optional augmentation spec.</summary>
    private sealed record EpochRun(int Samples, string? Augment);

    private static void Run(string spec, int batch, double seconds, int threads, bool fused, EpochRun? epoch, TextWriter output)
    {
        if (batch < 1) throw new ArgumentException($"--batch-size must be at least 1, got {batch}.");
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.");
        if (epoch is { Samples: < 0 }) throw new ArgumentException($"--epoch-samples must not be negative, got {epoch.Samples}.");
        // Parsed before the long measurement, so a typo fails at once.
        var transform = epoch?.Augment is { } augmentSpec ? AugmentationSpec.Parse(augmentSpec) : null;
        CpuParallel.MaxThreads = threads;
        var trainer = Setup(spec, batch, fused, out var inputs, out var targets);
        int k = 0;
        void Step() { trainer.TrainStep(inputs[k], targets[k]); k = (k + 1) % inputs.Length; }

        // Warm-up: JIT tiers, pooled buffers, optimizer state, GEMM threads.
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 50 || clock.Elapsed.TotalSeconds < Math.Min(1.0, seconds / 3); i++) Step();

        const int allocationSteps = 500;
        long thread0 = GC.GetAllocatedBytesForCurrentThread();
        long total0 = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < allocationSteps; i++) Step();
        double perStepThread = (GC.GetAllocatedBytesForCurrentThread() - thread0) / (double)allocationSteps;
        double perStepTotal = (GC.GetTotalAllocatedBytes(precise: true) - total0) / (double)allocationSteps;

        // Processor time per step is less sensitive than wall time to other processes sharing the cores.
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        int measured = 0;
        double best = 0;
        var rates = new List<double>();
        for (int window = 0; window < 3; window++)
        {
            int steps = 0;
            clock.Restart();
            while (clock.Elapsed.TotalSeconds < seconds / 3) { Step(); steps++; }
            measured += steps;
            double rate = steps * batch / clock.Elapsed.TotalSeconds;
            rates.Add(rate);
            best = Math.Max(best, rate);
        }
        rates.Sort();
        process.Refresh();
        double cpuMicroseconds = (process.TotalProcessorTime - cpu0).TotalMicroseconds / Math.Max(1, measured);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"train model={spec} batch={batch} samples_per_s={best:F0} median_samples_per_s={rates[1]:F0} step_us={1e6 * batch / best:F1} cpu_us_per_step={cpuMicroseconds:F1} alloc_bytes_per_step={perStepThread:F0} alloc_bytes_per_step_all_threads={perStepTotal:F0} path={trainer.StepKind} threads={threads}"));

        if (epoch is null) return;
        var sample = SampleShape(spec);
        int count = epoch.Samples > 0 ? epoch.Samples : sample == new Shape(1, 28, 28) ? 60_000 : 6_400;
        var (features, labels) = RandomSamples(count, sample, new Generator(2));
        var data = new InMemoryDataset(features, labels, sample, 10, "random");
        var plain = TimeEpoch(spec, batch, fused, data, null);
        output.WriteLine(EpochLine(spec, batch, "none", plain));
        if (transform is null) return;
        var augmented = TimeEpoch(spec, batch, fused, data, transform);
        output.WriteLine(EpochLine(spec, batch, epoch.Augment!, augmented) + string.Create(inv, $" step_ratio={augmented.StepMicroseconds / plain.StepMicroseconds:F2}"));
    }

    /// <summary>One timed epoch: wall time, and the part of it the training loop spent waiting for the loader's next batch.</summary>
    private readonly record struct EpochTiming(int Samples, int Steps, double Seconds, double WaitSeconds)
    {
        public double StepMicroseconds => Seconds * 1e6 / Math.Max(1, Steps);
    }

    private static EpochTiming TimeEpoch(string spec, int batch, bool fused, InMemoryDataset data, ISampleTransform? transform)
    {
        // The same initial weights as the step measurement (seed 1); the loader supplies the batches.
        var trainer = CreateTrainer(spec, fused, new Generator(1));
        var loader = new DataLoader(data, batch, shuffle: true, seed: 3, transform: transform);
        var clock = Stopwatch.StartNew();
        var waiting = new Stopwatch();
        int samples = 0, steps = 0;
        using var batches = loader.GetEnumerator();
        while (true)
        {
            waiting.Start();
            bool more = batches.MoveNext();
            waiting.Stop();
            if (!more) break;
            using var b = batches.Current;
            trainer.TrainStep(b.Inputs, b.Targets);
            samples += b.Size;
            steps++;
        }
        return new EpochTiming(samples, steps, clock.Elapsed.TotalSeconds, waiting.Elapsed.TotalSeconds);
    }

    private static string EpochLine(string spec, int batch, string augment, EpochTiming t) => string.Create(CultureInfo.InvariantCulture,
        $"train-epoch model={spec} batch={batch} augment={augment} samples={t.Samples} seconds={t.Seconds:F3} samples_per_s={t.Samples / t.Seconds:F0} step_us={t.StepMicroseconds:F0} wait_us_per_step={t.WaitSeconds * 1e6 / Math.Max(1, t.Steps):F0}");

    private static (float[] Features, int[] Labels) RandomSamples(int count, Shape sample, Generator generator)
    {
        using var x = Tensor.Rand(new Shape(count, sample.Numel), generator);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = generator.NextInt(10);
        return (x.ToArray(), labels);
    }
}
