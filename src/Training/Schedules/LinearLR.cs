using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// Linear warm-up (torch.optim.lr_scheduler.LinearLR): the rate goes linearly from <c>startFactor * base</c> to
/// <c>endFactor * base</c> over <c>totalIters</c> positions and then stays: 
/// <c>lr = base * (start + (end - start) * min(epoch, totalIters) / totalIters)</c>.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    /// <summary>Creates the schedule and sets the learning rates for position 0.</summary>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5,
        ScheduleInterval interval = ScheduleInterval.Epoch)
        : base(optimizer, interval)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentException($"LinearLR: start factor must be in (0, 1], got {startFactor}.");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentException($"LinearLR: end factor must be in [0, 1], got {endFactor}.");
        if (totalIters <= 0) throw new ArgumentException($"LinearLR: total iterations must be positive, got {totalIters}.");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        Initialize();
    }

    /// <summary>Multiplier at position 0.</summary>
    public double StartFactor { get; }

    /// <summary>Multiplier from <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>Length of the ramp.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch) =>
        baseLearningRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(epoch, TotalIters) / TotalIters);

    /// <inheritdoc/>
    public override string ToString() => $"LinearLR(start_factor={Format(StartFactor)}, end_factor={Format(EndFactor)}, total_iters={TotalIters})";
}
