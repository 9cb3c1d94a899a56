using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// Lowers the learning rate when a metric stops improving (torch.optim.lr_scheduler.ReduceLROnPlateau): after more than
/// <c>patience</c> epochs without an improvement beyond <c>threshold</c>, every group's rate becomes
/// <c>max(lr * factor, minLr)</c> (changes smaller than <c>eps</c> are skipped), then <c>cooldown</c> epochs pass before
/// counting again. Stepped with the metric: <see cref="Step(double)"/>.
/// </summary>
public sealed class ReduceLROnPlateau : LRScheduler
{
    /// <summary>Creates the schedule; the learning rates are left as they are.</summary>
    public ReduceLROnPlateau(Optimizer optimizer, bool maximize = false, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, bool relativeThreshold = true, int cooldown = 0, double minLr = 0, double eps = 1e-8)
        : base(optimizer, ScheduleInterval.Epoch)
    {
        if (!(factor > 0 && factor < 1)) throw new ArgumentException($"ReduceLROnPlateau: factor must be in (0, 1), got {factor}.");
        if (patience < 0) throw new ArgumentException($"ReduceLROnPlateau: patience must not be negative, got {patience}.");
        Maximize = maximize;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        RelativeThreshold = relativeThreshold;
        Cooldown = cooldown;
        MinLr = minLr;
        Eps = eps;
        Best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>True when larger metric values are better (accuracy), false for losses.</summary>
    public bool Maximize { get; }

    /// <summary>Multiplier applied on a plateau.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative to the best value (PyTorch's 'rel') or absolute ('abs').</summary>
    public bool RelativeThreshold { get; }

    /// <summary>Epochs to wait after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>Lower bound of the learning rate.</summary>
    public double MinLr { get; }

    /// <summary>Reductions smaller than this are skipped.</summary>
    public double Eps { get; }

    /// <summary>The best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement.</summary>
    public int BadEpochs { get; private set; }

    private int _cooldownCounter;

    /// <summary>Not used by this schedule: it needs the metric.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override void Step() =>
        throw new InvalidOperationException("ReduceLROnPlateau: step it with the monitored metric, Step(validationLoss).");

    /// <summary>Records one epoch's metric and reduces the rates on a plateau. Returns true when it reduced them.</summary>
    public bool Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else BadEpochs++;
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            BadEpochs = 0;
        }
        if (BadEpochs <= Patience) return false;
        bool reduced = false;
        foreach (var g in Optimizer.ParamGroups)
        {
            double next = Math.Max(g.LearningRate * Factor, MinLr);
            if (g.LearningRate - next > Eps)
            {
                g.LearningRate = next;
                reduced = true;
            }
        }
        _cooldownCounter = Cooldown;
        BadEpochs = 0;
        return reduced;
    }

    private bool IsBetter(double value)
    {
        if (double.IsNaN(value)) return false;
        if (Maximize)
            return RelativeThreshold ? value > Best * (1 + Threshold) : value > Best + Threshold;
        return RelativeThreshold ? value < Best * (1 - Threshold) : value < Best - Threshold;
    }

    /// <summary>The rates are only changed by <see cref="Step(double)"/>; this returns the current one.</summary>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch) => Optimizer.ParamGroups[group].LearningRate;

    /// <inheritdoc/>
    public override Dictionary<string, double> StateDict()
    {
        var state = base.StateDict();
        state["best"] = Best;
        state["num_bad_epochs"] = BadEpochs;
        state["cooldown_counter"] = _cooldownCounter;
        return state;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        base.LoadStateDict(state);
        Best = state.GetValueOrDefault("best", Best);
        BadEpochs = (int)state.GetValueOrDefault("num_bad_epochs");
        _cooldownCounter = (int)state.GetValueOrDefault("cooldown_counter");
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ReduceLROnPlateau(mode={(Maximize ? "max" : "min")}, factor={Format(Factor)}, patience={Patience}, threshold={Format(Threshold)}, cooldown={Cooldown}, min_lr={Format(MinLr)})";
}
