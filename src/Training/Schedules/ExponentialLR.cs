using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>Multiplies the learning rate by <c>gamma</c> every epoch: <c>lr = base * gamma^epoch</c> (torch.optim.lr_scheduler.ExponentialLR).</summary>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Creates the schedule and sets the learning rates for epoch 0.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma, ScheduleInterval interval = ScheduleInterval.Epoch)
        : base(optimizer, interval)
    {
        if (!(gamma > 0)) throw new ArgumentException($"ExponentialLR: gamma must be positive, got {gamma}.");
        Gamma = gamma;
        Initialize();
    }

    /// <summary>Decay factor per epoch.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch) => baseLearningRate * Math.Pow(Gamma, epoch);

    /// <inheritdoc/>
    public override string ToString() => $"ExponentialLR(gamma={Format(Gamma)})";
}
