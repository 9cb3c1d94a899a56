namespace NetFromScratch.Training.Trainers;

/// <summary>A model's loss and accuracy on a data set.</summary>
/// <param name="Loss">Mean loss per sample.</param>
/// <param name="Accuracy">Fraction classified correctly (NaN for losses without class targets).</param>
/// <param name="Samples">Number of samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int Samples);
