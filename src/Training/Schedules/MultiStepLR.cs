using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// Multiplies the learning rate by <c>gamma</c> at each milestone epoch: <c>lr = base * gamma^(number of milestones &lt;= epoch)</c>
/// (torch.optim.lr_scheduler.MultiStepLR).
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly int[] _milestones;

    /// <summary>Creates the schedule and sets the learning rates for epoch 0.</summary>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, ScheduleInterval interval = ScheduleInterval.Epoch)
        : base(optimizer, interval)
    {
        _milestones = milestones.OrderBy(m => m).ToArray();
        if (_milestones.Length == 0 || _milestones[0] <= 0)
            throw new ArgumentException($"MultiStepLR: milestones must be positive epochs, got [{string.Join(", ", _milestones)}].");
        Gamma = gamma;
        Initialize();
    }

    /// <summary>The epochs at which the rate decays, ascending.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch)
    {
        int passed = 0;
        foreach (int m in _milestones)
            if (m <= epoch) passed++;
        return baseLearningRate * Math.Pow(Gamma, passed);
    }

    /// <inheritdoc/>
    public override string ToString() => $"MultiStepLR(milestones=[{string.Join(", ", _milestones)}], gamma={Format(Gamma)})";
}
