using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Optimizers;

/// <summary>
/// What an optimizer remembers about one parameter between steps: the number of updates it received and the
/// running buffers named by the optimizer's <see cref="Optimizer.SlotNames"/> (for Adam: <c>exp_avg</c>,
/// <c>exp_avg_sq</c>, ...). Buffers are created on the first update and then updated in place.
/// Shape: every buffer has the parameter's shape.
/// </summary>
public sealed class ParameterState
{
    internal ParameterState(int slots) => Slots = new Tensor?[slots];

    /// <summary>Updates applied to this parameter so far.</summary>
    public long Step { get; internal set; }

    /// <summary>The running buffers, by slot; null until first needed.</summary>
    internal Tensor?[] Slots { get; }

    /// <summary>The buffer in <paramref name="slot"/>, created as zeros shaped like <paramref name="like"/> when missing.</summary>
    internal Tensor Slot(int slot, Tensor like) => Slots[slot] ??= Tensor.Zeros(like.Shape, like.Device);
}
