using NetFromScratch.Cli.Training;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>The PNG plots of <c>nfs finetune</c>: the learning curves, drawn as <c>nfs train</c> draws them.</summary>
public static class RunPlots
{
    /// <summary>Writes the learning curves of <paramref name="history"/> to <paramref name="path"/>; returns the path, or null when there was nothing to draw.</summary>
    public static string? TrySaveCurves(TrainingHistory history, string path, string title)
    {
        if (history.Epochs.Count == 0) return null;
        CurvePlot.Save(history, path, title);
        return path;
    }
}
