using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>A hook registered with <see cref="Variable.RegisterHook"/>; disposing it unregisters the hook.</summary>
internal sealed class GradientHook(Variable owner, Func<Tensor, Tensor?> function) : IDisposable
{
    public Func<Tensor, Tensor?> Function { get; } = function;

    public void Dispose() => owner.RemoveHook(this);
}
