namespace NetFromScratch.Training.Trainers;

/// <summary>Where training stands after one optimizer step, for progress bars and per-step callbacks.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Batch">The batch within the epoch, from 1.</param>
/// <param name="BatchesPerEpoch">Batches in the epoch.</param>
/// <param name="GlobalStep">Optimizer steps since training began (across resumes).</param>
/// <param name="Samples">Samples in this batch.</param>
/// <param name="Loss">This batch's mean loss.</param>
/// <param name="RunningLoss">The epoch's mean loss so far.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int BatchesPerEpoch, long GlobalStep, int Samples, double Loss, double RunningLoss);
