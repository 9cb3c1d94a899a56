using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// The PNG plots of <c>nfs finetune</c> and <c>nfs compare</c>. Plotting needs the charting package the training command
/// brings into the CLI; until then no image is written and the CSV files hold the same numbers.
/// </summary>
public static class RunPlots
{
    /// <summary>Writes the learning curves of <paramref name="history"/> to <paramref name="path"/>; returns the path, or null when no plot was written.</summary>
    public static string? TrySaveCurves(TrainingHistory history, string path, string title) => null;
}
