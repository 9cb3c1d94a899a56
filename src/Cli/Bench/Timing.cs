using System.Diagnostics;

namespace NetFromScratch.Cli.Bench;

/// <summary>Seconds taken by repeated runs of an action: after warm-up, the best and the median of the repetitions.</summary>
/// <param name="Best">The fastest repetition.</param>
/// <param name="Median">The middle repetition.</param>
public readonly record struct Timing(double Best, double Median)
{
    /// <summary>
    /// Runs <paramref name="action"/> once to warm up (JIT, caches, pack buffers), then repeatedly: at least
    /// <paramref name="minRepetitions"/> times and until <paramref name="budgetSeconds"/> have passed (at most 1000 times).
    /// </summary>
    public static Timing Of(Action action, int minRepetitions, double budgetSeconds)
    {
        action();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minRepetitions || (total.Elapsed.TotalSeconds < budgetSeconds && times.Count < 1000))
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return new Timing(times[0], times[times.Count / 2]);
    }
}
