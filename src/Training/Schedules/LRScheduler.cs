using System.Globalization;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Training.Schedules;

/// <summary>
/// The base of the learning-rate schedules, with PyTorch's conventions: creating a schedule sets every group's
/// learning rate to the schedule's value at position 0, and each <see cref="Step"/> moves one position on
/// (<see cref="LastEpoch"/>, which counts epochs or optimizer steps according to <see cref="Interval"/>). Values come
/// from each schedule's closed form of the position and the group's <see cref="ParamGroup.InitialLearningRate"/>, so a
/// schedule restored from a checkpoint continues exactly.
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>; derived constructors call <see cref="Initialize"/> last.</summary>
    protected LRScheduler(Optimizer optimizer, ScheduleInterval interval)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Interval = interval;
        BaseLearningRates = optimizer.ParamGroups.Select(g => g.InitialLearningRate).ToArray();
    }

    /// <summary>The optimizer whose groups this schedule drives.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether the trainer steps this schedule per epoch or per optimizer step.</summary>
    public ScheduleInterval Interval { get; }

    /// <summary>The position in the schedule: 0 after construction, +1 per <see cref="Step"/>.</summary>
    public int LastEpoch { get; protected set; }

    /// <summary>Each group's starting learning rate.</summary>
    public IReadOnlyList<double> BaseLearningRates { get; }

    /// <summary>The learning rates the last step set, one per group.</summary>
    public IReadOnlyList<double> LastLearningRates => Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

    /// <summary>Sets the learning rates for position 0; call at the end of a derived constructor.</summary>
    protected void Initialize()
    {
        LastEpoch = 0;
        Apply();
    }

    /// <summary>Moves one position on and sets every group's learning rate.</summary>
    public virtual void Step()
    {
        LastEpoch++;
        Apply();
    }

    /// <summary>Sets each group's learning rate to <see cref="LearningRateAt"/> for <see cref="LastEpoch"/>.</summary>
    protected void Apply()
    {
        var groups = Optimizer.ParamGroups;
        for (int g = 0; g < groups.Count; g++) groups[g].LearningRate = LearningRateAt(g, BaseLearningRates[g], LastEpoch);
    }

    /// <summary>The learning rate this schedule gives group <paramref name="group"/> at position <paramref name="epoch"/> (without setting it).</summary>
    public double LearningRateFor(int group, int epoch) => LearningRateAt(group, BaseLearningRates[group], epoch);

    /// <summary>The learning rate of group <paramref name="group"/> at position <paramref name="epoch"/>.</summary>
    protected abstract double LearningRateAt(int group, double baseLearningRate, int epoch);

    /// <summary>The schedule's position and counters, for checkpoints.</summary>
    public virtual Dictionary<string, double> StateDict() => new(StringComparer.Ordinal) { ["last_epoch"] = LastEpoch };

    /// <summary>Restores a state from <see cref="StateDict"/> and sets the learning rates it implies.</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("last_epoch", out double last))
            throw new InvalidOperationException($"{GetType().Name}.LoadStateDict: the state has no last_epoch.");
        LastEpoch = (int)last;
        Apply();
    }

    /// <summary>A one-line description, e.g. <c>StepLR(step_size=30, gamma=0.1)</c>.</summary>
    public override string ToString() => GetType().Name;

    /// <summary>Formats a number for <see cref="ToString"/>.</summary>
    protected static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
