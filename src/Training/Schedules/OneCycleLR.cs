using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// The one-cycle policy (Smith and Topin, 2018) as torch.optim.lr_scheduler.OneCycleLR with two phases and cosine
/// annealing, stepped after every batch: from <c>maxLr / divFactor</c> up to <c>maxLr</c> over the first
/// <c>pctStart * totalSteps - 1</c> steps, then down to <c>maxLr / (divFactor * finalDivFactor)</c> at step
/// <c>totalSteps - 1</c>. Momentum is not cycled (PyTorch's <c>cycle_momentum=False</c>).
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly double[] _maxLr;

    /// <summary>Creates the schedule (one maximum for every group) and sets the learning rates for step 0.</summary>
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, double divFactor = 25,
        double finalDivFactor = 1e4)
        : this(optimizer, Enumerable.Repeat(maxLr, optimizer.ParamGroups.Count).ToArray(), totalSteps, pctStart, divFactor, finalDivFactor) { }

    /// <summary>Creates the schedule with one maximum per group and sets the learning rates for step 0.</summary>
    public OneCycleLR(Optimizer optimizer, double[] maxLr, int totalSteps, double pctStart = 0.3, double divFactor = 25,
        double finalDivFactor = 1e4)
        : base(optimizer, ScheduleInterval.Step)
    {
        if (maxLr.Length != optimizer.ParamGroups.Count)
            throw new ArgumentException($"OneCycleLR: {maxLr.Length} maximum rates for {optimizer.ParamGroups.Count} parameter groups.");
        if (totalSteps <= 1) throw new ArgumentException($"OneCycleLR: total steps must be at least 2, got {totalSteps}.");
        if (!(pctStart > 0 && pctStart < 1)) throw new ArgumentException($"OneCycleLR: pct_start must be in (0, 1), got {pctStart}.");
        _maxLr = (double[])maxLr.Clone();
        TotalSteps = totalSteps;
        PctStart = pctStart;
        DivFactor = divFactor;
        FinalDivFactor = finalDivFactor;
        for (int g = 0; g < _maxLr.Length; g++) optimizer.ParamGroups[g].InitialLearningRate = _maxLr[g] / divFactor;
        Initialize();
    }

    /// <summary>Length of the cycle in optimizer steps.</summary>
    public int TotalSteps { get; }

    /// <summary>Fraction of the cycle spent warming up.</summary>
    public double PctStart { get; }

    /// <summary>The starting rate is <c>maxLr / DivFactor</c>.</summary>
    public double DivFactor { get; }

    /// <summary>The final rate is the starting rate divided by this.</summary>
    public double FinalDivFactor { get; }

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch)
    {
        if (epoch > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR: stepped {epoch} times, past its total of {TotalSteps} steps.");
        double max = _maxLr[group], initial = max / DivFactor, min = initial / FinalDivFactor;
        double warmEnd = PctStart * TotalSteps - 1, end = TotalSteps - 1;
        if (epoch <= warmEnd) return Anneal(initial, max, epoch / warmEnd);
        return Anneal(max, min, (epoch - warmEnd) / (end - warmEnd));
    }

    private static double Anneal(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);

    /// <inheritdoc/>
    public override string ToString() =>
        $"OneCycleLR(max_lr={Format(_maxLr[0])}, total_steps={TotalSteps}, pct_start={Format(PctStart)}, div_factor={Format(DivFactor)}, final_div_factor={Format(FinalDivFactor)})";
}
