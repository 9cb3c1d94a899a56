namespace NetFromScratch.Training.Trainers;

/// <summary>
/// One epoch's results. Losses are per-sample means over the epoch; accuracies are fractions in [0, 1]; a quantity
/// that was not measured (no validation data, or a loss without class targets) is NaN.
/// </summary>
/// <param name="Epoch">The epoch, counted from 1.</param>
/// <param name="TrainLoss">Mean training loss, measured on each batch as it was trained (dropout active).</param>
/// <param name="TrainAccuracy">Training accuracy, measured the same way.</param>
/// <param name="ValidationLoss">Mean validation loss at the end of the epoch (evaluation mode).</param>
/// <param name="ValidationAccuracy">Validation accuracy at the end of the epoch.</param>
/// <param name="LearningRate">The first group's learning rate during the epoch's last step.</param>
/// <param name="Seconds">Wall-clock time of the epoch, validation included.</param>
/// <param name="Steps">Optimizer steps taken in the epoch.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds, int Steps)
{
    /// <summary>True when the epoch was validated.</summary>
    public bool HasValidation => !double.IsNaN(ValidationLoss);
}
