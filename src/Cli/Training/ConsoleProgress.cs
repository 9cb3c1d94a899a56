using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// What <c>nfs train</c> shows while it runs: a progress bar redrawn in place within each epoch (only on an interactive
/// terminal, at most ten times a second), then one table row per epoch: epoch, train loss, train accuracy, validation
/// loss, validation accuracy, learning rate and seconds.
/// </summary>
public sealed class ConsoleProgress(TextWriter output, bool interactive) : TrainerCallback
{
    private const int BarWidth = 30;
    private readonly Stopwatch _redraw = Stopwatch.StartNew();
    private bool _barShown;

    /// <summary>The column header.</summary>
    public static string Header => "epoch  train_loss  train_acc  val_loss  val_acc        lr  seconds";

    /// <inheritdoc/>
    public override void OnTrainBegin(Trainer trainer)
    {
        output.WriteLine(Header);
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(Trainer trainer, in BatchProgress p)
    {
        if (!interactive || (p.Batch != p.BatchesPerEpoch && _redraw.ElapsedMilliseconds < 100)) return;
        _redraw.Restart();
        int filled = (int)((long)BarWidth * p.Batch / p.BatchesPerEpoch);
        string bar = new string('#', filled) + new string('-', BarWidth - filled);
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{p.Epoch,5}  [{bar}] {100.0 * p.Batch / p.BatchesPerEpoch,3:F0}% {p.Batch}/{p.BatchesPerEpoch}  loss {p.RunningLoss:F4}  "));
        output.Flush();
        _barShown = true;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(Trainer trainer, EpochMetrics m)
    {
        if (_barShown)
        {
            output.Write("\r" + new string(' ', BarWidth + 48) + "\r");
            _barShown = false;
        }
        output.WriteLine(Row(m));
    }

    /// <summary>One epoch's row, aligned under <see cref="Header"/>.</summary>
    public static string Row(EpochMetrics m) => string.Create(CultureInfo.InvariantCulture,
        $"{m.Epoch,5}  {Number(m.TrainLoss),10}  {Percent(m.TrainAccuracy),9}  {Number(m.ValidationLoss),8}  {Percent(m.ValidationAccuracy),7}  {m.LearningRate,8:0.0e+00}  {m.Seconds,7:F2}");

    private static string Number(double x) => double.IsNaN(x) ? "-" : x.ToString("F4", CultureInfo.InvariantCulture);

    private static string Percent(double x) => double.IsNaN(x) ? "-" : (100 * x).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
