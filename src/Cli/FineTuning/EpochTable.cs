using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// The epoch table <c>nfs finetune</c> prints: a header, one row per epoch, and within a long epoch a progress line every
/// ten seconds (so a slow CPU epoch does not look stuck).
/// </summary>
public sealed class EpochTable(TextWriter output)
{
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private bool _headerShown;

    /// <summary>After each step.</summary>
    public void OnBatch(BatchProgress p)
    {
        Header();
        if (_sinceLine.Elapsed.TotalSeconds < 10 || p.Batch == p.BatchesPerEpoch) return;
        _sinceLine.Restart();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Epoch,5}  ... batch {p.Batch}/{p.BatchesPerEpoch}, loss so far {p.RunningLoss:F4}"));
    }

    /// <summary>After each epoch.</summary>
    public void OnEpoch(EpochMetrics m)
    {
        Header();
        _sinceLine.Restart();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{m.Epoch,5}  {Number(m.TrainLoss),10}  {Percent(m.TrainAccuracy),9}  {Number(m.ValidationLoss),8}  {Percent(m.ValidationAccuracy),7}  {m.Seconds,8:F2}"));
    }

    private void Header()
    {
        if (_headerShown) return;
        _headerShown = true;
        output.WriteLine("epoch  train_loss  train_acc  val_loss  val_acc   seconds");
    }

    private static string Number(double x) => double.IsNaN(x) ? "-" : x.ToString("F4", CultureInfo.InvariantCulture);

    private static string Percent(double x) => double.IsNaN(x) ? "-" : (100 * x).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
