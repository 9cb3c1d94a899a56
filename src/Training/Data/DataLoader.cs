using System.Collections;
using System.Collections.Concurrent;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// Iterates a data set in mini-batches: a seeded shuffle each epoch, a batch size (1 = stochastic gradient descent,
/// 0 = the whole set as one batch, anything else = mini-batch), optional drop-last, and batches assembled on a background
/// thread (<see cref="Prefetch"/> ahead) so the training loop does not wait for copying or augmentation.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly IDataset _dataset;
    private readonly Generator _generator;
    private readonly ConcurrentBag<HostBuffers> _free = new();
    private int _epoch;

    /// <summary>Creates a loader; <paramref name="batchSize"/> 0 means full batch.</summary>
    public DataLoader(IDataset dataset, int batchSize, bool shuffle = true, bool dropLast = false, ulong seed = 0,
        int prefetch = 2, Device? device = null, ISampleTransform? transform = null)
    {
        if (batchSize < 0) throw new ArgumentException($"DataLoader: batch size must be 0 (full batch) or positive, got {batchSize}.");
        if (dataset.Count == 0) throw new ArgumentException("DataLoader: the data set is empty.");
        if (prefetch < 0) throw new ArgumentException($"DataLoader: prefetch must not be negative, got {prefetch}.");
        _dataset = dataset;
        BatchSize = batchSize == 0 ? dataset.Count : Math.Min(batchSize, dataset.Count);
        Shuffle = shuffle;
        DropLast = dropLast;
        Prefetch = prefetch;
        Device = device ?? Device.Cpu;
        Transform = transform;
        _generator = new Generator(seed);
    }

    /// <summary>Samples per batch (the last batch may be smaller unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the samples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a final incomplete batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Batches assembled ahead on the background thread (0 = assemble on the caller's thread).</summary>
    public int Prefetch { get; }

    /// <summary>Device the batches are created on.</summary>
    public Device Device { get; }

    /// <summary>Per-sample augmentation, or null.</summary>
    public ISampleTransform? Transform { get; }

    /// <summary>The generator behind shuffling and augmentation; its state goes into checkpoints.</summary>
    public Generator Generator => _generator;

    /// <summary>
    /// Epochs started so far (each enumeration starts one). With <see cref="Generator"/>'s offset it is the loader's whole
    /// state: a checkpoint saves both, and restoring them makes the next epoch shuffle and augment as it would have.
    /// </summary>
    public int Epoch
    {
        get => _epoch;
        set => _epoch = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"DataLoader: epoch must not be negative, got {value}.");
    }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? _dataset.Count / BatchSize : (_dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>One epoch of batches. Dispose each batch when done with it so its buffers are reused.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        int epoch = _epoch++;
        var order = Shuffle ? Permutation.Shuffled(_dataset.Count, _generator) : Enumerable.Range(0, _dataset.Count).ToArray();
        ulong augmentSeed = _generator.Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1));
        int batches = BatchesPerEpoch;
        if (Prefetch == 0)
        {
            var host = new HostBuffers(BatchSize, _dataset.SampleShape.Numel);
            for (int b = 0; b < batches; b++) yield return Assemble(order, b, host, augmentSeed);
            yield break;
        }

        using var ready = new BlockingCollection<(HostBuffers Host, int N)>(Prefetch);
        using var cancel = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = 0; b < batches && !cancel.IsCancellationRequested; b++)
                {
                    // Host buffers circulate between the two threads, so a steady epoch allocates none.
                    if (!_free.TryTake(out var host)) host = new HostBuffers(BatchSize, _dataset.SampleShape.Numel);
                    int n = Fill(order, b, host, augmentSeed);
                    ready.Add((host, n), cancel.Token);
                }
            }
            catch (OperationCanceledException) { }
            finally { ready.CompleteAdding(); }
        });
        try
        {
            foreach (var (host, n) in ready.GetConsumingEnumerable())
            {
                var batch = MakeBatch(host.X, host.Y, n);
                _free.Add(host);
                yield return batch;
            }
            producer.GetAwaiter().GetResult(); // surfaces a data error from the background thread
        }
        finally
        {
            cancel.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class HostBuffers(int batch, int sampleSize)
    {
        public readonly float[] X = new float[batch * sampleSize];
        public readonly float[] Y = new float[batch];
    }

    private Batch Assemble(int[] order, int b, HostBuffers host, ulong augmentSeed)
    {
        int n = Fill(order, b, host, augmentSeed);
        return MakeBatch(host.X, host.Y, n);
    }

    private int Fill(int[] order, int b, HostBuffers host, ulong augmentSeed)
    {
        int size = _dataset.SampleShape.Numel;
        int start = b * BatchSize;
        int n = Math.Min(BatchSize, order.Length - start);
        for (int i = 0; i < n; i++)
        {
            var dst = host.X.AsSpan(i * size, size);
            int index = order[start + i];
            host.Y[i] = _dataset.CopySample(index, dst);
            Transform?.Apply(dst, _dataset.SampleShape, new Generator(augmentSeed, (ulong)index << 20));
        }
        return n;
    }

    private Batch MakeBatch(float[] x, float[] y, int n)
    {
        var dims = new int[_dataset.SampleShape.Rank + 1];
        dims[0] = n;
        _dataset.SampleShape.Dims.CopyTo(dims.AsSpan(1));
        var inputs = Tensor.FromSpan(x.AsSpan(0, n * _dataset.SampleShape.Numel), new Shape(dims), Device);
        var targets = Tensor.FromSpan(y.AsSpan(0, n), new Shape(n), Device);
        return new Batch(inputs, targets);
    }
}
