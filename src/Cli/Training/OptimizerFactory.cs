using NetFromScratch.Nn;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Builds the optimizer named by <c>--optimizer</c>. Default learning rates: 0.01 for sgd, momentum and nesterov,
/// 0.001 for adam, adamw and rmsprop, 0.01 for adagrad.
/// </summary>
public static class OptimizerFactory
{
    /// <summary>The names <c>--optimizer</c> accepts.</summary>
    public static readonly string[] Names = ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"];

    /// <summary>The learning rate used when <c>--lr</c> is not given.</summary>
    public static double DefaultLearningRate(string name) => name is "adam" or "adamw" or "rmsprop" ? 1e-3 : 1e-2;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public static Optimizer Create(TrainSettings s, IEnumerable<Parameter> parameters)
    {
        double lr = s.LearningRate ?? DefaultLearningRate(s.Optimizer);
        double wd = s.WeightDecay ?? (s.Optimizer == "adamw" ? 1e-2 : 0);
        return s.Optimizer switch
        {
            "sgd" => new SGD(parameters, lr, weightDecay: wd),
            "momentum" => new SGD(parameters, lr, momentum: s.Momentum, weightDecay: wd),
            "nesterov" => new SGD(parameters, lr, momentum: s.Momentum, weightDecay: wd, nesterov: true),
            "adam" => new Adam(parameters, lr, weightDecay: wd),
            "adamw" => new AdamW(parameters, lr, weightDecay: wd),
            "rmsprop" => new RMSprop(parameters, lr, weightDecay: wd, momentum: 0),
            "adagrad" => new Adagrad(parameters, lr, weightDecay: wd),
            _ => throw new ArgumentException($"unknown optimizer '{s.Optimizer}': use one of {string.Join(", ", Names)}."),
        };
    }
}
