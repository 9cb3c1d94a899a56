using NetFromScratch.Tensors;

namespace NetFromScratch.Nn;

/// <summary>
/// A non-trainable tensor that belongs to a module's state (BatchNorm's running statistics): saved in the state dict,
/// moved with the module, never given to an optimizer.
/// </summary>
public sealed class Buffer
{
    internal Buffer(Tensor data) => Data = data;

    /// <summary>The values (replaced when the module moves to another device).</summary>
    public Tensor Data { get; set; }
}
