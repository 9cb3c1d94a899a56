using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// An optimizer's state as plain data, for checkpoints: tensors named <c>state.{index}.{slot}</c> (index counts the
/// parameters of all groups in order) and numbers such as <c>state.{index}.step</c>, <c>group.{g}.lr</c>,
/// <c>group.{g}.initial_lr</c> and <c>group.{g}.weight_decay</c>. Numbers are doubles so they round-trip exactly.
/// </summary>
public sealed class OptimizerState
{
    /// <summary>Creates an empty state.</summary>
    public OptimizerState(string optimizer) => Optimizer = optimizer;

    /// <summary>The optimizer's name (for example <c>Adam</c>); loading into another kind fails.</summary>
    public string Optimizer { get; }

    /// <summary>Running buffers by name.</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Step counts and group settings by name.</summary>
    public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);
}
