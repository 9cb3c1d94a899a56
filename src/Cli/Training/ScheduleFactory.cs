using System.Globalization;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Schedules;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Builds the learning-rate schedule named by <c>--schedule</c>:
/// <c>none</c>; <c>step:N[,gamma]</c> (decay by gamma, default 0.1, every N epochs); <c>multistep:E1+E2[,gamma]</c>;
/// <c>exp:gamma</c>; <c>cosine[:T]</c> (T epochs, default all of them); <c>warmup:W[,then]</c> (linear warm-up over W
/// epochs from a tenth of the rate, then <c>cosine</c> or constant); <c>onecycle[:maxLr]</c> (per step, default max =
/// 10x the learning rate); <c>plateau[:patience[,factor]]</c> (on validation loss; defaults 2 and 0.1).
/// </summary>
public static class ScheduleFactory
{
    /// <summary>Creates the schedule, or null for <c>none</c>.</summary>
    /// <exception cref="ArgumentException">The spec does not parse; the message shows the accepted forms.</exception>
    public static LRScheduler? Create(string spec, Optimizer optimizer, int epochs, int stepsPerEpoch)
    {
        string name = spec, rest = "";
        int colon = spec.IndexOf(':');
        if (colon >= 0) (name, rest) = (spec[..colon], spec[(colon + 1)..]);
        var args = rest.Length == 0 ? [] : rest.Split(',');
        try
        {
            switch (name.Trim().ToLowerInvariant())
            {
                case "none" or "constant" or "":
                    return null;
                case "step":
                    return new StepLR(optimizer, Int(args, 0), Num(args, 1, 0.1));
                case "multistep":
                    if (args.Length == 0) throw Bad();
                    return new MultiStepLR(optimizer, args[0].Split('+').Select(m => int.Parse(m, CultureInfo.InvariantCulture)), Num(args, 1, 0.1));
                case "exp" or "exponential":
                    return new ExponentialLR(optimizer, Num(args, 0, double.NaN));
                case "cosine":
                    return new CosineAnnealingLR(optimizer, args.Length > 0 ? Int(args, 0) : Math.Max(1, epochs));
                case "warmup":
                    {
                        int w = Int(args, 0);
                        var warm = new LinearLR(optimizer, 0.1, 1.0, w);
                        string then = args.Length > 1 ? args[1].Trim() : "constant";
                        if (then == "constant") return warm;
                        if (then != "cosine") throw Bad();
                        var cosine = new CosineAnnealingLR(optimizer, Math.Max(1, epochs - w));
                        return new SequentialLR(optimizer, [warm, cosine], [w]);
                    }
                case "onecycle":
                    {
                        double max = args.Length > 0 ? Num(args, 0, double.NaN) : optimizer.ParamGroups[0].LearningRate * 10;
                        return new OneCycleLR(optimizer, max, Math.Max(2, epochs * stepsPerEpoch));
                    }
                case "plateau":
                    return new ReduceLROnPlateau(optimizer, patience: args.Length > 0 ? Int(args, 0) : 2, factor: Num(args, 1, 0.1));
                default:
                    throw Bad();
            }
        }
        catch (FormatException)
        {
            throw Bad();
        }

        ArgumentException Bad() => new($"--schedule '{spec}' is not understood: use none, step:N[,gamma], multistep:E1+E2[,gamma], exp:gamma, cosine[:T], warmup:W[,cosine], onecycle[:maxLr] or plateau[:patience[,factor]].");
        int Int(string[] a, int i) => a.Length > i ? int.Parse(a[i].Trim(), CultureInfo.InvariantCulture) : throw Bad();
        double Num(string[] a, int i, double fallback) =>
            a.Length > i ? double.Parse(a[i].Trim(), CultureInfo.InvariantCulture) : double.IsNaN(fallback) ? throw Bad() : fallback;
    }
}
