using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Regularization;

namespace NetFromScratch.Training.Trainers;

/// <summary>How a <see cref="Trainer"/> runs: epochs, batching, validation, regularisation and reproducibility.</summary>
public sealed class TrainerOptions
{
    /// <summary>Epochs to train (a resumed run counts the epochs already done).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Samples per optimizer step, which selects the gradient-descent variant: 1 = stochastic, 0 = full batch (the
    /// whole training set in one step per epoch), anything else = mini-batch.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Samples per forward pass when evaluating (no gradients, so larger batches are fine).</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Whether each epoch visits the training samples in a new seeded order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Whether a final incomplete training batch is skipped.</summary>
    public bool DropLast { get; init; }

    /// <summary>Seed of the shuffling (and augmentation) stream.</summary>
    public ulong Seed { get; init; }

    /// <summary>Batches assembled ahead on a background thread.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Where batches are created; the model must already be there (default: the CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Per-sample augmentation of training batches, or null.</summary>
    public ISampleTransform? Transform { get; init; }

    /// <summary>
    /// Fraction of the training set held out for validation when <see cref="Trainer.Fit"/> gets no validation set
    /// (0 = no validation). Needs an <see cref="InMemoryDataset"/>; the split is seeded with <see cref="Seed"/>.
    /// </summary>
    public double ValidationSplit { get; init; }

    /// <summary>Clip the gradients' total 2-norm to this value before each step, or null.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Clamp every gradient element to this magnitude before each step, or null.</summary>
    public double? ClipGradValue { get; init; }

    /// <summary>L1/L2 penalties whose gradients are added after each backward pass, or null.</summary>
    public Penalty? Penalty { get; init; }

    /// <summary>
    /// Generators besides <see cref="Generator.Default"/> whose positions a checkpoint must save, for example the one
    /// passed to the model's dropout layers, so a resumed run draws the same masks.
    /// </summary>
    public IReadOnlyList<Generator> Generators { get; init; } = [];

    /// <summary>
    /// Return each step's intermediate tensors (activations, saved inputs) to the buffer pool after backward, so steps
    /// reuse memory instead of allocating. A forward hook that keeps an activation past the step must clone it.
    /// </summary>
    public bool ReleaseIntermediates { get; init; } = true;

    /// <summary>
    /// Use the fused multilayer-perceptron step (<see cref="FusedMlpStep"/>) when the model and loss allow it: the same
    /// mathematics as the autograd path, with no graph and no per-step allocation.
    /// </summary>
    public bool UseFusedSteps { get; init; } = true;
}
