namespace NetFromScratch.Training.Trainers;

/// <summary>
/// The loss became NaN or infinite. The message names the epoch and step, suggests a lower learning rate, and says
/// where the last good checkpoint is (the trainer never writes a checkpoint after a bad step).
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the error.</summary>
    public TrainingDivergedException(int epoch, int batch, int batchesPerEpoch, long globalStep, double loss, double learningRate,
        string? lastCheckpoint, int lastCheckpointEpoch)
        : base(Describe(epoch, batch, batchesPerEpoch, globalStep, loss, learningRate, lastCheckpoint, lastCheckpointEpoch))
    {
        Epoch = epoch;
        Batch = batch;
        GlobalStep = globalStep;
        Loss = loss;
        LearningRate = learningRate;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The epoch (from 1) in which the loss went bad.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch (from 1).</summary>
    public int Batch { get; }

    /// <summary>The optimizer step (from 1, across the run).</summary>
    public long GlobalStep { get; }

    /// <summary>The bad value (NaN or infinity).</summary>
    public double Loss { get; }

    /// <summary>The learning rate in use.</summary>
    public double LearningRate { get; }

    /// <summary>The last checkpoint written before the failure, or null.</summary>
    public string? LastCheckpoint { get; }

    private static string Describe(int epoch, int batch, int batches, long step, double loss, double lr, string? checkpoint, int checkpointEpoch)
    {
        string value = double.IsNaN(loss) ? "NaN" : loss > 0 ? "+infinity" : "-infinity";
        string msg = $"training diverged: the loss became {value} at epoch {epoch}, step {step} (batch {batch} of {batches}). " +
                     $"Try a lower learning rate than {lr.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)} " +
                     $"(for example {(lr / 10).ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}), or gradient clipping.";
        msg += checkpoint is null
            ? " No checkpoint had been written yet."
            : $" The last good checkpoint (epoch {checkpointEpoch}) is kept at {checkpoint}.";
        return msg;
    }
}
