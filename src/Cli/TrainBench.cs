using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Cli.Training;
using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;
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
        var epoch = new Option<bool>("--epoch") { Description = "Also time one 60,000-sample epoch through the DataLoader (background prefetch)." };
        var command = new Command("train",
            "Training steps per second of the reference MLP (Adam, MNIST-shaped random data), after a warm-up: the best of three " +
            "windows (and the median), the processor time per step (all threads; less disturbed by other processes than wall time), " +
            "and the managed bytes each steady step allocates (this thread, and all threads).");
        foreach (var o in new Option[] { model, batch, seconds, threads, noFused, epoch }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                Run(parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(seconds), parse.GetValue(threads), !parse.GetValue(noFused),
                    parse.GetValue(epoch), Console.Out);
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

    private static Trainer Setup(string spec, int batch, bool fused, out Tensor[] inputs, out Tensor[] targets)
    {
        var generator = new Generator(1);
        var sample = SampleShape(spec);
        var net = ModelFactory.Create(spec, sample, 10, 0f, generator);
        var trainer = new Trainer(net, new CrossEntropyLoss(), new Adam(net.Parameters(), 1e-3), new TrainerOptions { UseFusedSteps = fused });
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

    private static void Run(string spec, int batch, double seconds, int threads, bool fused, bool epoch, TextWriter output)
    {
        if (batch < 1) throw new ArgumentException($"--batch-size must be at least 1, got {batch}.");
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.");
        if (epoch && SampleShape(spec) != new Shape(1, 28, 28))
            throw new ArgumentException($"--epoch times an MNIST-sized epoch and takes an MLP, not --model {spec}.");
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

        if (!epoch) return;
        var (features, labels) = RandomMnist(60_000, new Generator(2));
        var data = new InMemoryDataset(features, labels, new Shape(1, 28, 28), 10, "random-mnist");
        var epochTrainer = Setup(spec, batch, fused, out _, out _);
        var loader = new DataLoader(data, batch, shuffle: true, seed: 3);
        clock.Restart();
        int samples = 0;
        foreach (var b in loader)
            using (b)
            {
                epochTrainer.TrainStep(b.Inputs, b.Targets);
                samples += b.Size;
            }
        double elapsed = clock.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(inv,
            $"train-epoch model={spec} batch={batch} samples={samples} seconds={elapsed:F3} samples_per_s={samples / elapsed:F0} (DataLoader with prefetch, first epoch)"));
    }

    private static (float[] Features, int[] Labels) RandomMnist(int count, Generator generator)
    {
        using var x = Tensor.Rand(new Shape(count, 784), generator);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = generator.NextInt(10);
        return (x.ToArray(), labels);
    }
}
