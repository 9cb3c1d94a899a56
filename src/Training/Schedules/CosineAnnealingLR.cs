using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// Cosine annealing without restarts (Loshchilov and Hutter, 2017): <c>lr = etaMin + (base - etaMin)(1 + cos(pi epoch / tMax)) / 2</c>,
/// the closed form of torch.optim.lr_scheduler.CosineAnnealingLR. Past <c>tMax</c> the rate follows the cosine back up, as PyTorch's does;
/// give <c>tMax</c> = the number of epochs for a single decay.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Creates the schedule and sets the learning rates for epoch 0.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0, ScheduleInterval interval = ScheduleInterval.Epoch)
        : base(optimizer, interval)
    {
        if (tMax <= 0) throw new ArgumentException($"CosineAnnealingLR: T_max must be positive, got {tMax}.");
        TMax = tMax;
        EtaMin = etaMin;
        Initialize();
    }

    /// <summary>Epochs (or steps) from the base rate to the minimum.</summary>
    public int TMax { get; }

    /// <summary>The minimum learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch) =>
        EtaMin + (baseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;

    /// <inheritdoc/>
    public override string ToString() => $"CosineAnnealingLR(T_max={TMax}, eta_min={Format(EtaMin)})";
}
