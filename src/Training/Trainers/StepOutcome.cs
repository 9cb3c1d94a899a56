namespace NetFromScratch.Training.Trainers;

/// <summary>What one batch gave: its mean loss and how many samples were classified correctly (-1 when not a classification).</summary>
internal readonly record struct StepOutcome(double Loss, int Correct);
