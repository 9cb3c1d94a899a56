using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// The memory a training run holds, part by part: weights and buffers, gradients and optimizer state for what trains,
/// cached features, and the activations one step keeps for its backward pass (measured on a real forward pass by walking
/// the graph it records, <see cref="GraphBytes"/>). Unlike the garbage-collected heap's size, which depends on when
/// collections run, this is the same on every run.
/// </summary>
/// <param name="WeightBytes">Every parameter and buffer.</param>
/// <param name="GradientBytes">Gradients of the trainable parameters.</param>
/// <param name="OptimizerBytes">The optimizer's running buffers (for example two per parameter for Adam).</param>
/// <param name="CachedFeatureBytes">Stored backbone features.</param>
/// <param name="ActivationBytes">Activations kept for backward in one step, with the batch.</param>
public sealed record TrainingFootprint(long WeightBytes, long GradientBytes, long OptimizerBytes, long CachedFeatureBytes, long ActivationBytes)
{
    /// <summary>The sum of the parts.</summary>
    public long TotalBytes => WeightBytes + GradientBytes + OptimizerBytes + CachedFeatureBytes + ActivationBytes;

    /// <summary><see cref="TotalBytes"/> in MiB.</summary>
    public double TotalMb => TotalBytes / 1048576.0;

    /// <summary>
    /// Bytes of the tensors a recorded graph keeps: every op's output and every input it was given that is not a
    /// trainable parameter (the batch, or the frozen features a trainable layer's weight gradient needs). Views count
    /// once per storage. Buffers an op keeps privately (pooling indices, normalised values) are not visible here, so
    /// this is a lower bound.
    /// </summary>
    public static long GraphBytes(Variable output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var sizes = new Dictionary<TensorStorage, long>(ReferenceEqualityComparer.Instance);
        var parameters = new HashSet<TensorStorage>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Variable>();
        pending.Push(output);
        while (pending.Count > 0)
        {
            var v = pending.Pop();
            var t = v.Data;
            // A parameter (a leaf that requires grad) is counted with the weights, and so are views of it (W^T).
            if (v.GradFn is null && v.RequiresGrad) parameters.Add(t.Storage);
            else sizes[t.Storage] = Math.Max(sizes.GetValueOrDefault(t.Storage), 4L * t.Numel);
            if (v.GradFn is { } node && seen.Add(node))
                foreach (var input in node.Inputs) pending.Push(input);
        }
        return sizes.Where(kv => !parameters.Contains(kv.Key)).Sum(kv => kv.Value);
    }

    /// <summary>
    /// Measures the footprint of training <paramref name="stepModule"/> (the whole model, or the head alone on cached
    /// features) inside <paramref name="model"/> on batches like <paramref name="batch"/>, with an optimizer that keeps
    /// <paramref name="optimizerSlots"/> buffers per trainable parameter. Runs one forward pass in training mode and
    /// releases its graph; BatchNorm layers that train update their running statistics as in any training step, so
    /// measure after training. Shape: <paramref name="batch"/> <c>[B, *sample]</c> as <paramref name="stepModule"/> takes it.
    /// </summary>
    public static TrainingFootprint Measure(Module model, Module stepModule, Tensor batch, int optimizerSlots, long cachedFeatureBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stepModule);
        ArgumentNullException.ThrowIfNull(batch);
        long weights = 4L * (model.Parameters().Sum(p => (long)p.Numel) + model.NamedBuffers().Sum(b => (long)b.Buffer.Data.Numel));
        long trainable = model.TrainableParameters().Sum(p => (long)p.Numel);
        bool wasTraining = stepModule.IsTraining;
        long activations;
        try
        {
            stepModule.Train();
            var output = stepModule.Forward(new Variable(batch));
            activations = GraphBytes(output);
            output.DisposeGraph();
        }
        finally
        {
            stepModule.Train(wasTraining);
        }
        return new TrainingFootprint(weights, 4L * trainable, 4L * trainable * optimizerSlots, cachedFeatureBytes, activations);
    }
}
