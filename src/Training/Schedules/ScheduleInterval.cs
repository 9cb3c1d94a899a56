namespace NetFromScratch.Training.Schedules;

/// <summary>How often a trainer advances a learning-rate schedule.</summary>
public enum ScheduleInterval
{
    /// <summary>Once at the end of every epoch (step, multi-step, exponential, cosine, plateau).</summary>
    Epoch,
    /// <summary>After every optimizer step (one-cycle, and warm-up measured in steps).</summary>
    Step,
}
