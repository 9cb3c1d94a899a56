using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>Multiplies the learning rate by <c>gamma</c> every <c>stepSize</c> epochs: <c>lr = base * gamma^floor(epoch / stepSize)</c> (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the schedule and sets the learning rates for epoch 0.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, ScheduleInterval interval = ScheduleInterval.Epoch)
        : base(optimizer, interval)
    {
        if (stepSize <= 0) throw new ArgumentException($"StepLR: step size must be positive, got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        Initialize();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch) =>
        baseLearningRate * Math.Pow(Gamma, epoch / StepSize);

    /// <inheritdoc/>
    public override string ToString() => $"StepLR(step_size={StepSize}, gamma={Format(Gamma)})";
}
