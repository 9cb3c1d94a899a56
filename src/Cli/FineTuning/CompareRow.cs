namespace NetFromScratch.Cli.FineTuning;

/// <summary>One approach at one data size in <c>nfs compare</c>.</summary>
/// <param name="PerClass">Training examples per class.</param>
/// <param name="Approach">scratch, frozen or full.</param>
/// <param name="TestAccuracy">Accuracy on the new task's test set.</param>
/// <param name="OldTaskAfter">Accuracy on the original task's test set with the original head put back on the trained backbone (NaN from scratch).</param>
/// <param name="Seconds">Wall time of training (feature caching included).</param>
/// <param name="MemoryMb">What training held (<see cref="NetFromScratch.Training.FineTuning.TrainingFootprint"/>): weights, gradients and optimizer state, cached features, one step's activations.</param>
/// <param name="TrainableParameters">Parameters that trained.</param>
public sealed record CompareRow(int PerClass, string Approach, double TestAccuracy, double OldTaskAfter, double Seconds, double MemoryMb, long TrainableParameters);
