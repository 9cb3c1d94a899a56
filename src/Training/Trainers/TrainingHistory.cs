using System.Globalization;
using System.Text;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// Every epoch's metrics in order, why training stopped, and the best epoch when keep-best was on. Written as
/// metrics.csv (<see cref="ToCsv"/>) with the columns <c>epoch, train_loss, train_acc, val_loss, val_acc, lr, seconds</c>.
/// </summary>
public sealed class TrainingHistory
{
    private const string Header = "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds,steps";

    /// <summary>The epochs trained so far (a resumed run includes the epochs before the checkpoint).</summary>
    public List<EpochMetrics> Epochs { get; } = new();

    /// <summary>Why training ended before the last epoch (early stopping, a callback), or null.</summary>
    public string? StopReason { get; set; }

    /// <summary>The epoch whose weights the model holds at the end when keep-best restored them, or null.</summary>
    public int? BestEpoch { get; set; }

    /// <summary>The most recent epoch's metrics, or null before the first.</summary>
    public EpochMetrics? Last => Epochs.Count == 0 ? null : Epochs[^1];

    /// <summary>The history as CSV text (invariant culture, empty fields for unmeasured values).</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var m in Epochs)
        {
            sb.Append(m.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(Number(m.TrainLoss)).Append(',').Append(Number(m.TrainAccuracy)).Append(',')
              .Append(Number(m.ValidationLoss)).Append(',').Append(Number(m.ValidationAccuracy)).Append(',')
              .Append(Number(m.LearningRate)).Append(',').Append(m.Seconds.ToString("F3", CultureInfo.InvariantCulture)).Append(',')
              .Append(m.Steps.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();

        static string Number(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/>.</summary>
    public void WriteCsv(string path) => File.WriteAllText(path, ToCsv());

    /// <summary>Reads CSV written by <see cref="ToCsv"/> (used when a checkpoint restores a run).</summary>
    /// <exception cref="FormatException">The text is not such CSV; the message names the line.</exception>
    public static TrainingHistory FromCsv(string csv)
    {
        var history = new TrainingHistory();
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new FormatException($"TrainingHistory: expected the header '{Header}'.");
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Trim().Split(',');
            if (f.Length != 8) throw new FormatException($"TrainingHistory: line {i + 1} has {f.Length} fields, expected 8.");
            history.Epochs.Add(new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), Parse(f[1]), Parse(f[2]), Parse(f[3]),
                Parse(f[4]), Parse(f[5]), Parse(f[6]), int.Parse(f[7], CultureInfo.InvariantCulture)));
        }
        return history;

        static double Parse(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A sentence when the curves show overfitting: validation loss ended above its minimum by more than 1% while the
    /// training loss kept falling after that epoch. Null otherwise (or without validation).
    /// </summary>
    public string? OverfittingWarning()
    {
        var validated = Epochs.Where(e => e.HasValidation && !double.IsNaN(e.TrainLoss)).ToList();
        if (validated.Count < 2) return null;
        var best = validated.MinBy(e => e.ValidationLoss)!;
        var last = validated[^1];
        if (ReferenceEquals(best, last)) return null;
        bool valRose = last.ValidationLoss > best.ValidationLoss * 1.01;
        bool trainFell = last.TrainLoss < best.TrainLoss;
        if (!valRose || !trainFell) return null;
        return FormattableString.Invariant(
            $"overfitting: validation loss rose from {best.ValidationLoss:F4} (epoch {best.Epoch}) to {last.ValidationLoss:F4} (epoch {last.Epoch}) while training loss fell from {best.TrainLoss:F4} to {last.TrainLoss:F4}; {(StopReason is null ? "early stopping, " : "")}dropout, weight decay or more data would help.");
    }
}
