namespace NetFromScratch.Training.Trainers;

/// <summary>A per-epoch quantity that early stopping, keep-best and plateau schedules can watch.</summary>
public enum Metric
{
    /// <summary>Validation loss (lower is better); the usual choice.</summary>
    ValidationLoss,
    /// <summary>Validation accuracy (higher is better).</summary>
    ValidationAccuracy,
    /// <summary>Training loss (lower is better), for runs without validation data.</summary>
    TrainLoss,
    /// <summary>Training accuracy (higher is better).</summary>
    TrainAccuracy,
}

/// <summary>Reading and naming <see cref="Metric"/> values.</summary>
public static class MetricExtensions
{
    /// <summary>The metric's value in one epoch's results (NaN when it was not measured).</summary>
    public static double Of(this Metric metric, EpochMetrics m) => metric switch
    {
        Metric.ValidationLoss => m.ValidationLoss,
        Metric.ValidationAccuracy => m.ValidationAccuracy,
        Metric.TrainLoss => m.TrainLoss,
        _ => m.TrainAccuracy,
    };

    /// <summary>True for accuracies.</summary>
    public static bool HigherIsBetter(this Metric metric) => metric is Metric.ValidationAccuracy or Metric.TrainAccuracy;

    /// <summary>The column name used in metrics.csv (<c>val_loss</c>, <c>val_acc</c>, <c>train_loss</c>, <c>train_acc</c>).</summary>
    public static string ColumnName(this Metric metric) => metric switch
    {
        Metric.ValidationLoss => "val_loss",
        Metric.ValidationAccuracy => "val_acc",
        Metric.TrainLoss => "train_loss",
        _ => "train_acc",
    };

    /// <summary>Parses a column name (<c>val_loss</c>, <c>val_acc</c>, <c>train_loss</c>, <c>train_acc</c>).</summary>
    /// <exception cref="ArgumentException">Not one of those names.</exception>
    public static Metric Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "val_loss" or "validation_loss" => Metric.ValidationLoss,
        "val_acc" or "val_accuracy" or "validation_accuracy" => Metric.ValidationAccuracy,
        "train_loss" or "loss" => Metric.TrainLoss,
        "train_acc" or "train_accuracy" or "acc" => Metric.TrainAccuracy,
        _ => throw new ArgumentException($"Unknown metric '{name}': use val_loss, val_acc, train_loss or train_acc."),
    };
}
