using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// Runs schedules one after another, switching at milestone positions (as torch.optim.lr_scheduler.SequentialLR):
/// schedule i is in charge from milestone i-1 on and sees positions counted from that milestone. The usual use is a
/// linear warm-up followed by cosine annealing.
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] _schedules;
    private readonly int[] _milestones;

    /// <summary>Creates the chain; <paramref name="milestones"/> has one entry fewer than <paramref name="schedules"/>.</summary>
    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedules, IReadOnlyList<int> milestones)
        : base(optimizer, schedules.Count > 0 ? schedules[0].Interval : ScheduleInterval.Epoch)
    {
        if (schedules.Count < 2) throw new ArgumentException("SequentialLR: give at least two schedules.");
        if (milestones.Count != schedules.Count - 1)
            throw new ArgumentException($"SequentialLR: {schedules.Count} schedules need {schedules.Count - 1} milestones, got {milestones.Count}.");
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException($"SequentialLR: milestones must be positive and increasing, got [{string.Join(", ", milestones)}].");
        foreach (var s in schedules)
        {
            if (!ReferenceEquals(s.Optimizer, optimizer)) throw new ArgumentException("SequentialLR: every schedule must drive the same optimizer.");
            if (s is ReduceLROnPlateau) throw new ArgumentException("SequentialLR: ReduceLROnPlateau cannot be chained.");
        }
        _schedules = schedules.ToArray();
        _milestones = milestones.ToArray();
        Initialize();
    }

    /// <summary>The chained schedules.</summary>
    public IReadOnlyList<LRScheduler> Schedules => _schedules;

    /// <inheritdoc/>
    protected override double LearningRateAt(int group, double baseLearningRate, int epoch)
    {
        int i = 0;
        while (i < _milestones.Length && epoch >= _milestones[i]) i++;
        int start = i == 0 ? 0 : _milestones[i - 1];
        return _schedules[i].LearningRateFor(group, epoch - start);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"SequentialLR({string.Join(", ", _schedules.Select(s => s.ToString()))}; milestones=[{string.Join(", ", _milestones)}])";
}
