using NetFromScratch.Training.Trainers;
using ScottPlot;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// The run's learning curves as a PNG: loss (top) and accuracy (bottom) per epoch, training and validation on the same
/// axes, so overfitting shows as the validation curve turning up while the training curve keeps falling. The epoch whose
/// weights were kept is marked.
/// </summary>
public static class CurvePlot
{
    /// <summary>Draws <paramref name="history"/> into <paramref name="path"/>.</summary>
    public static void Save(TrainingHistory history, string path, string title, int width = 800, int height = 700)
    {
        var epochs = history.Epochs;
        double[] xs = epochs.Select(e => (double)e.Epoch).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        // Loss falls and accuracy rises, so their legends sit in the corners the curves leave empty.
        Draw(multiplot.GetPlot(0), xs, epochs.Select(e => e.TrainLoss), epochs.Select(e => e.ValidationLoss), title + ": loss", "loss", history.BestEpoch, Alignment.UpperRight);
        Draw(multiplot.GetPlot(1), xs, epochs.Select(e => e.TrainAccuracy), epochs.Select(e => e.ValidationAccuracy), "accuracy", "accuracy", history.BestEpoch, Alignment.LowerRight);
        multiplot.SavePng(path, width, height);
    }

    private static void Draw(Plot plot, double[] xs, IEnumerable<double> train, IEnumerable<double> validation, string title, string yLabel, int? best, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel(yLabel);
        Add(plot, xs, train.ToArray(), "train", Colors.Blue);
        Add(plot, xs, validation.ToArray(), "validation", Colors.OrangeRed);
        if (best is { } b)
        {
            var line = plot.Add.VerticalLine(b);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LegendText = $"kept (epoch {b})";
        }
        plot.ShowLegend(legend);
    }

    private static void Add(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        // Unmeasured values (no validation, no accuracy) are skipped rather than drawn as gaps of NaN.
        var keep = Enumerable.Range(0, ys.Length).Where(i => !double.IsNaN(ys[i])).ToArray();
        if (keep.Length == 0) return;
        var scatter = plot.Add.Scatter(keep.Select(i => xs[i]).ToArray(), keep.Select(i => ys[i]).ToArray());
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.MarkerSize = keep.Length > 40 ? 0 : 5;
    }
}
