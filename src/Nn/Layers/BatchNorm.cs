using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Batch normalisation over every axis but the channel axis 1. In training mode it normalises with the batch's mean
/// and (biased) variance and updates the running statistics, <c>running = (1 - momentum) running + momentum batch</c>
/// (unbiased variance, as PyTorch); in evaluation mode it uses the running statistics. A layer whose affine parameters
/// are frozen stays in evaluation behaviour even in training mode, so fine-tuning a frozen backbone does not disturb
/// its statistics.
/// Initialisation: weight 1, bias 0, running mean 0, running variance 1; buffers named as torchvision's
/// (<c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>).
/// </summary>
public abstract class BatchNorm : Module
{
    private readonly int _expectedRank;

    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    protected BatchNorm(int numFeatures, float eps, float momentum, bool affine, bool trackRunningStats, int expectedRank)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{GetType().Name}: numFeatures must be positive, got {numFeatures}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        _expectedRank = expectedRank;
        Weight = affine ? RegisterParameter("weight", Tensor.Ones(new Shape(numFeatures))) : null;
        Bias = affine ? RegisterParameter("bias", Tensor.Zeros(new Shape(numFeatures))) : null;
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(new Shape(numFeatures)));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(new Shape(numFeatures)));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0f));
        }
    }

    /// <summary>Channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <summary>Weight of the newest batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>Scale <c>[C]</c>, or null when not affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>Shift <c>[C]</c>, or null when not affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>Running mean <c>[C]</c>, or null when not tracked.</summary>
    public Buffer? RunningMean { get; }

    /// <summary>Running variance <c>[C]</c>, or null when not tracked.</summary>
    public Buffer? RunningVar { get; }

    /// <summary>Number of training batches seen (a scalar).</summary>
    public Buffer? NumBatchesTracked { get; }

    /// <summary>True when this layer normalises with batch statistics on the next forward pass.</summary>
    public bool UsesBatchStatistics => (IsTraining && (Weight is null || Weight.RequiresGrad)) || RunningMean is null;

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank != _expectedRank && !(_expectedRank == 2 && input.Rank == 3) || input.Shape[1] != NumFeatures)
            throw ShapeErrors.Wrong($"{GetType().Name}({NumFeatures})", _expectedRank == 4 ? $"[N, {NumFeatures}, H, W]" : $"[N, {NumFeatures}] or [N, {NumFeatures}, L]", input.Shape);
        bool training = UsesBatchStatistics;
        if (training && NumBatchesTracked is not null && IsTraining) NumBatchesTracked.Data.AddInPlace(1f);
        return F.BatchNorm(input, RunningMean?.Data, RunningVar?.Data, Weight?.Variable, Bias?.Variable, training, Momentum, Eps);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}, affine={Weight is not null}, track_running_stats={RunningMean is not null}";
}
