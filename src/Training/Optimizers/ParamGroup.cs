using NetFromScratch.Autograd;
using NetFromScratch.Nn;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// A set of parameters that share a learning rate and a weight decay (PyTorch's <c>param_groups</c> entries), so that,
/// for example, a pretrained backbone can train ten times slower than a new head (discriminative learning rates).
/// Learning-rate schedules change <see cref="LearningRate"/> of every group, scaling from each group's
/// <see cref="InitialLearningRate"/>.
/// </summary>
public sealed class ParamGroup
{
    /// <summary>Creates a group; a null learning rate or weight decay takes the optimizer's default.</summary>
    public ParamGroup(IEnumerable<Variable> parameters, double? learningRate = null, double? weightDecay = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        foreach (var p in Parameters)
            if (p is null) throw new ArgumentException($"ParamGroup{(name is null ? "" : $" '{name}'")}: a parameter is null.");
        RequestedLearningRate = learningRate;
        RequestedWeightDecay = weightDecay;
        Name = name;
    }

    /// <summary>Creates a group of module parameters; a null learning rate or weight decay takes the optimizer's default.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, double? learningRate = null, double? weightDecay = null, string? name = null)
        : this(parameters.Select(p => p.Variable), learningRate, weightDecay, name) { }

    /// <summary>The parameters, in order; their position is their index in the optimizer's state.</summary>
    public IReadOnlyList<Variable> Parameters { get; }

    /// <summary>The current learning rate (schedules change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>The learning rate the group started with; schedules scale from it (PyTorch's <c>initial_lr</c>).</summary>
    public double InitialLearningRate { get; set; }

    /// <summary>Weight decay: an L2 term added to the gradient (SGD, Adam, RMSprop, Adagrad), or decoupled shrinking (AdamW).</summary>
    public double WeightDecay { get; set; }

    /// <summary>A label for messages and summaries, or null.</summary>
    public string? Name { get; }

    internal double? RequestedLearningRate { get; }

    internal double? RequestedWeightDecay { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ParamGroup{(Name is null ? "" : $" '{Name}'")}: {Parameters.Count} parameters, lr={LearningRate:G6}, weight_decay={WeightDecay:G6}";
}
