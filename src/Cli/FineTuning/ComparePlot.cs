using ScottPlot;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// The picture of <c>nfs compare</c>: test accuracy against examples per class, one line per approach (top), and the
/// training time of each (bottom); the original task's accuracy after fine-tuning is drawn dashed on the top panel.
/// </summary>
public static class ComparePlot
{
    private static readonly Dictionary<string, Color> Palette = new()
    {
        ["scratch"] = Colors.Gray,
        ["frozen"] = Colors.Blue,
        ["full"] = Colors.OrangeRed,
    };

    /// <summary>Draws <paramref name="rows"/> into the PNG at <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<CompareRow> rows, double oldTaskBefore, string path, int width = 800, int height = 700)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var accuracy = multiplot.GetPlot(0);
        var time = multiplot.GetPlot(1);
        accuracy.Title("new task: test accuracy (solid); original task after fine-tuning (dashed)");
        accuracy.YLabel("accuracy");
        time.Title("training time");
        time.YLabel("seconds");
        foreach (var plot in new[] { accuracy, time }) plot.XLabel("training examples per class");
        foreach (var group in rows.GroupBy(r => r.Approach))
        {
            var points = group.OrderBy(r => r.PerClass).ToArray();
            double[] xs = points.Select(r => (double)r.PerClass).ToArray();
            var color = Palette.GetValueOrDefault(group.Key, Colors.Black);
            var line = accuracy.Add.Scatter(xs, points.Select(r => r.TestAccuracy).ToArray());
            line.LegendText = group.Key;
            line.Color = color;
            if (points.All(r => !double.IsNaN(r.OldTaskAfter)))
            {
                var old = accuracy.Add.Scatter(xs, points.Select(r => r.OldTaskAfter).ToArray());
                old.LegendText = $"{group.Key}: original task";
                old.Color = color;
                old.LinePattern = LinePattern.Dashed;
            }
            var seconds = time.Add.Scatter(xs, points.Select(r => r.Seconds).ToArray());
            seconds.LegendText = group.Key;
            seconds.Color = color;
        }
        var before = accuracy.Add.HorizontalLine(oldTaskBefore);
        before.LinePattern = LinePattern.Dotted;
        before.Color = Colors.Black;
        before.LegendText = "original task before";
        accuracy.ShowLegend(Alignment.LowerRight);
        time.ShowLegend(Alignment.UpperLeft);
        multiplot.SavePng(path, width, height);
    }
}
